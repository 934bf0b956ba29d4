import { Hono } from 'hono';
import { and, desc, eq, lt } from 'drizzle-orm';
import _ from 'lodash';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { binFor, decodeCursor, encodeCursor, formatDate, formatMoney, validateSkus } from '../lib';
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

const syncSchema = z.object({ orderIds: z.array(z.string()) });

const PAGE_SIZE = 50;

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
  const order = await db.query.orders.findFirst({ where: eq(orders.id, c.req.param('id')) });
  if (!order) return c.json({ error: 'not found' }, 404);
  const items = await db.select().from(orderItems).where(eq(orderItems.orderId, order.id));

  // Never send card details back to the client.
  const view = JSON.parse(JSON.stringify(order));
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

  // Check stock levels before accepting the order.
  for (const item of input.items) {
    const stock = await c.env.CACHE.get(`stock:${item.sku}`);
    if (stock !== null && Number(stock) < item.qty) {
      return c.json({ error: 'out of stock', sku: item.sku }, 409);
    }
  }

  const orderId = crypto.randomUUID();
  const total = _.sumBy(input.items, (i) => i.qty * i.unitPrice);

  await c.var.db.insert(orders).values({
    id: orderId,
    userId: input.userId,
    total,
    notes: input.notes ?? null,
    payload: { shippingAddress: input.shippingAddress },
    createdAt: new Date(),
  });
  await c.var.db.insert(orderItems).values(
    input.items.map((i) => ({ id: crypto.randomUUID(), orderId, sku: i.sku, qty: i.qty })),
  );

  return c.json({ id: orderId, total: formatMoney(total) }, 201);
});

// Push the latest shipment status for a set of orders from the carrier.
ordersRoute.post('/sync-shipping', async (c) => {
  const { orderIds } = syncSchema.parse(await c.req.json());
  const results = await Promise.all(
    orderIds.map(async (id) => {
      const res = await fetch(`${c.env.SHIPPING_API}/shipments/${id}`);
      return { id, ok: res.ok, status: res.ok ? ((await res.json()) as { state: string }).state : null };
    }),
  );
  return c.json({ results });
});

ordersRoute.put('/:id/attachment', async (c) => {
  const key = `orders/${c.req.param('id')}/${crypto.randomUUID()}`;
  const body = await c.req.arrayBuffer();
  await c.env.UPLOADS.put(key, body, {
    httpMetadata: { contentType: c.req.header('content-type') ?? 'application/octet-stream' },
  });
  return c.json({ key }, 201);
});

ordersRoute.post('/:id/pay', async (c) => {
  const id = c.req.param('id');
  const result = await c.var.db.transaction(async (tx) => {
    const order = await tx.query.orders.findFirst({ where: and(eq(orders.id, id), eq(orders.status, 'pending')) });
    if (!order) return null;
    const res = await fetch(`${c.env.PAYMENTS_API}/charges`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': id },
      body: JSON.stringify({ amount: order.total, currency: 'usd', reference: id }),
    });
    if (!res.ok) throw new Error(`payment failed: ${res.status}`);
    await tx.update(orders).set({ status: 'paid' }).where(eq(orders.id, id));
    return { id, status: 'paid' as const };
  });
  if (!result) return c.json({ error: 'order not payable' }, 409);
  return c.json(result);
});

// Used by the staging reset script.
ordersRoute.delete('/admin/items', async (c) => {
  if (c.req.header('x-admin-token') !== 'staging') return c.json({ error: 'forbidden' }, 403);
  await c.var.db.delete(orderItems);
  return c.body(null, 204);
});
