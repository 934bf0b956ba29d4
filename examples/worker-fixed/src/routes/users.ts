import { Hono } from 'hono';
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { decodeCursor, encodeCursor, formatDate, formatMoney } from '../lib';
import { orderItems, orders, users } from '../schema';

const signupSchema = z.object({
  email: z.string().email(),
  name: z.string().min(1).max(100),
});

interface UserSettings {
  currency: string;
  marketingEmails: boolean;
}

const PAGE_SIZE = 50;

export const usersRoute = new Hono<AppEnv>();

usersRoute.post('/', async (c) => {
  const parsed = signupSchema.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: parsed.error.flatten() }, 400);

  const user = { id: crypto.randomUUID(), ...parsed.data, createdAt: new Date() };
  await c.var.db.insert(users).values(user);

  // Sent after the response; analytics must never slow down signup.
  c.executionCtx.waitUntil(
    fetch(c.env.ANALYTICS_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'signup', userId: user.id, at: Date.now() }),
    }),
  );

  return c.json({ id: user.id }, 201);
});

usersRoute.get('/:id', async (c) => {
  const id = c.req.param('id');
  const [user, settings] = await Promise.all([
    c.var.db.query.users.findFirst({
      columns: { id: true, email: true, name: true, createdAt: true },
      where: eq(users.id, id),
    }),
    c.env.CACHE.get<UserSettings>(`settings:${id}`, 'json'),
  ]);
  if (!user) return c.json({ error: 'not found' }, 404);
  return c.json({
    id: user.id,
    email: user.email,
    name: user.name,
    memberSince: formatDate(user.createdAt),
    settings: settings ?? { currency: 'USD', marketingEmails: false },
  });
});

// Order history with line items, grouped totals for the account page.
usersRoute.get('/:id/orders', async (c) => {
  const db = c.var.db;
  const cursor = decodeCursor(c.req.query('cursor'));
  const userOrders = await db
    .select({ id: orders.id, status: orders.status, total: orders.total, createdAt: orders.createdAt })
    .from(orders)
    .where(
      and(
        eq(orders.userId, c.req.param('id')),
        cursor ? lt(orders.createdAt, new Date(cursor.before)) : undefined,
      ),
    )
    .orderBy(desc(orders.createdAt))
    .limit(PAGE_SIZE);

  // All line items for this page in one query (≤ 50 ids, under D1's 100 bound parameters).
  const ids = userOrders.map((o) => o.id);
  const items =
    ids.length === 0
      ? []
      : await db
          .select({ orderId: orderItems.orderId, sku: orderItems.sku, qty: orderItems.qty })
          .from(orderItems)
          .where(inArray(orderItems.orderId, ids));

  const itemsByOrder = new Map<string, { sku: string; qty: number }[]>();
  for (const i of items) {
    const list = itemsByOrder.get(i.orderId) ?? [];
    list.push({ sku: i.sku, qty: i.qty });
    itemsByOrder.set(i.orderId, list);
  }

  const totalsByStatus: Record<string, number> = {};
  for (const o of userOrders) {
    totalsByStatus[o.status] = (totalsByStatus[o.status] ?? 0) + o.total;
  }

  const last = userOrders.at(-1);
  return c.json({
    orders: userOrders.map((o) => ({
      id: o.id,
      status: o.status,
      total: formatMoney(o.total),
      placedAt: formatDate(o.createdAt),
      items: itemsByOrder.get(o.id) ?? [],
    })),
    totals: Object.fromEntries(Object.entries(totalsByStatus).map(([k, v]) => [k, formatMoney(v)])),
    isEmpty: userOrders.length === 0,
    next: userOrders.length === PAGE_SIZE && last ? encodeCursor({ before: last.createdAt.getTime() }) : null,
  });
});
