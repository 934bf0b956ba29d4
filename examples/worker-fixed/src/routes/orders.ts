import { Hono } from 'hono';
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { binFor, decodeCursor, encodeCursor, formatDate, formatMoney, mapLimit, validateSkus } from '../lib';
import { orderItems, orders, type OrderStatus } from '../schema';

const createOrderSchema = z.object({
  userId: z.string().uuid(),
  notes: z.string().max(2000).optional(),
  shippingAddress: z.object({
    line1: z.string(),
    city: z.string(),
    country: z.string().length(2),
    postcode: z.string(),
  }),
  items: z
    .array(z.object({ sku: z.string(), qty: z.number().int().positive(), unitPrice: z.number().int() }))
    .min(1)
    .max(50),
});

const syncSchema = z.object({ orderIds: z.array(z.string()).max(100) });

const PAGE_SIZE = 50;
// Workers allow 6 simultaneous open connections per request.
const SHIPPING_CONCURRENCY = 6;

export const ordersRoute = new Hono<AppEnv>();

// Recent orders for the back-office dashboard, newest first.
ordersRoute.get('/', async (c) => {
  const status = (c.req.query('status') ?? 'pending') as OrderStatus;
  const cursor = decodeCursor(c.req.query('cursor'));
  const rows = await c.var.db
    .select({ id: orders.id, userId: orders.userId, total: orders.total, createdAt: orders.createdAt })
    .from(orders)
    .where(and(eq(orders.status, status), cursor ? lt(orders.createdAt, new Date(cursor.before)) : undefined))
    .orderBy(desc(orders.createdAt))
    .limit(PAGE_SIZE);
  const last = rows.at(-1);
  return c.json({
    orders: rows.map((o) => ({ ...o, total: formatMoney(o.total), createdAt: formatDate(o.createdAt) })),
    next: rows.length === PAGE_SIZE && last ? encodeCursor({ before: last.createdAt.getTime() }) : null,
  });
});

ordersRoute.get('/:id', async (c) => {
  const db = c.var.db;
  const id = c.req.param('id');
  // One round trip for the order and its line items.
  const [found, items] = await db.batch([
    db
      .select({
        id: orders.id,
        userId: orders.userId,
        status: orders.status,
        total: orders.total,
        notes: orders.notes,
        payload: orders.payload,
        createdAt: orders.createdAt,
      })
      .from(orders)
      .where(eq(orders.id, id))
      .limit(1),
    db
      .select({ sku: orderItems.sku, qty: orderItems.qty })
      .from(orderItems)
      .where(eq(orderItems.orderId, id))
      .limit(PAGE_SIZE),
  ]);
  const order = found[0];
  if (!order) return c.json({ error: 'not found' }, 404);

  // Never send card details back to the client.
  const view = structuredClone(order);
  if (view.payload) delete view.payload.card;

  return c.json({
    ...view,
    createdAt: formatDate(order.createdAt),
    total: formatMoney(order.total),
    items: items.map((i) => ({ ...i, bin: binFor(i.sku) ?? null })),
  });
});

ordersRoute.post('/', async (c) => {
  const parsed = createOrderSchema.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: parsed.error.flatten() }, 400);
  const input = parsed.data;

  const invalid = validateSkus(input.items.map((i) => i.sku));
  if (invalid.length > 0) return c.json({ error: 'invalid sku', skus: invalid }, 400);

  // Check stock levels before accepting the order: one bulk KV read (up to 100 keys).
  const stock = await c.env.CACHE.get(
    input.items.map((i) => `stock:${i.sku}`),
    'text',
  );
  const short = input.items.find((i) => {
    const level = stock.get(`stock:${i.sku}`);
    return level != null && Number(level) < i.qty;
  });
  if (short) return c.json({ error: 'out of stock', sku: short.sku }, 409);

  const orderId = crypto.randomUUID();
  const total = input.items.reduce((sum, i) => sum + i.qty * i.unitPrice, 0);

  const db = c.var.db;
  await db.batch([
    db.insert(orders).values({
      id: orderId,
      userId: input.userId,
      total,
      notes: input.notes ?? null,
      payload: { shippingAddress: input.shippingAddress },
      createdAt: new Date(),
    }),
    db
      .insert(orderItems)
      .values(input.items.map((i) => ({ id: crypto.randomUUID(), orderId, sku: i.sku, qty: i.qty }))),
  ]);

  return c.json({ id: orderId, total: formatMoney(total) }, 201);
});

// Pull the latest shipment status for a set of orders from the carrier.
ordersRoute.post('/sync-shipping', async (c) => {
  const { orderIds } = syncSchema.parse(await c.req.json());
  const results = await mapLimit(orderIds, SHIPPING_CONCURRENCY, async (id) => {
    const res = await fetch(`${c.env.SHIPPING_API}/shipments/${id}`);
    return { id, ok: res.ok, status: res.ok ? ((await res.json()) as { state: string }).state : null };
  });
  return c.json({ results });
});

ordersRoute.put('/:id/attachment', async (c) => {
  const body = c.req.raw.body;
  const length = Number(c.req.header('content-length'));
  if (!body || !Number.isSafeInteger(length) || length <= 0) {
    return c.json({ error: 'a Content-Length body is required' }, 411);
  }
  const key = `orders/${c.req.param('id')}/${crypto.randomUUID()}`;
  // Stream straight through to R2 instead of holding the upload in memory.
  await c.env.UPLOADS.put(key, body, {
    httpMetadata: { contentType: c.req.header('content-type') ?? 'application/octet-stream' },
  });
  return c.json({ key }, 201);
});

ordersRoute.post('/:id/pay', async (c) => {
  const db = c.var.db;
  const id = c.req.param('id');
  const [order] = await db
    .select({ id: orders.id, total: orders.total })
    .from(orders)
    .where(and(eq(orders.id, id), eq(orders.status, 'pending')))
    .limit(1);
  if (!order) return c.json({ error: 'order not payable' }, 409);

  // Charge first, outside any database work; the idempotency key makes retries safe.
  const res = await fetch(`${c.env.PAYMENTS_API}/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': id },
    body: JSON.stringify({ amount: order.total, currency: 'usd', reference: id }),
  });
  if (!res.ok) return c.json({ error: `payment failed: ${res.status}` }, 502);

  // Only a still-pending order moves to paid.
  await db
    .update(orders)
    .set({ status: 'paid' })
    .where(and(eq(orders.id, id), eq(orders.status, 'pending')));
  return c.json({ id, status: 'paid' as const });
});

// Used by the staging reset script: drops line items of cancelled orders.
ordersRoute.delete('/admin/items', async (c) => {
  if (c.req.header('x-admin-token') !== 'staging') return c.json({ error: 'forbidden' }, 403);
  const db = c.var.db;
  await db
    .delete(orderItems)
    .where(
      inArray(
        orderItems.orderId,
        db.select({ id: orders.id }).from(orders).where(eq(orders.status, 'cancelled')),
      ),
    );
  return c.body(null, 204);
});
