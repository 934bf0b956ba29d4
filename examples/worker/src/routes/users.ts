import { Hono } from 'hono';
import { eq } from 'drizzle-orm';
import _ from 'lodash';
import { z } from 'zod';
import type { AppEnv } from '../env';
import { formatDate, formatMoney } from '../lib';
import { orderItems, orders, users } from '../schema';

const signupSchema = z.object({
  email: z.string().email(),
  name: z.string().min(1).max(100),
});

interface UserSettings {
  currency: string;
  marketingEmails: boolean;
}

export const usersRoute = new Hono<AppEnv>();

usersRoute.post('/', async (c) => {
  const parsed = signupSchema.safeParse(await c.req.json());
  if (!parsed.success) return c.json({ error: parsed.error.flatten() }, 400);

  const user = { id: crypto.randomUUID(), ...parsed.data, createdAt: new Date() };
  await c.var.db.insert(users).values(user);

  // fire-and-forget, analytics must never slow down signup
  fetch(c.env.ANALYTICS_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'signup', userId: user.id, at: Date.now() }),
  });

  return c.json({ id: user.id }, 201);
});

usersRoute.get('/:id', async (c) => {
  const id = c.req.param('id');
  const user = await c.var.db.query.users.findFirst({ where: eq(users.id, id) });
  const settings = await c.env.CACHE.get<UserSettings>(`settings:${id}`, 'json');
  if (!user) return c.json({ error: 'not found' }, 404);
  return c.json({
    ..._.pick(user, ['id', 'email', 'name']),
    memberSince: formatDate(user.createdAt),
    settings: settings ?? { currency: 'USD', marketingEmails: false },
  });
});

// Order history with line items, grouped totals for the account page.
usersRoute.get('/:id/orders', async (c) => {
  const db = c.var.db;
  const userOrders = await db.select().from(orders).where(eq(orders.userId, c.req.param('id')));

  const history = [];
  for (const o of userOrders) {
    const items = await db.select().from(orderItems).where(eq(orderItems.orderId, o.id));
    console.log('loaded order', o.id, items.length);
    history.push({
      id: o.id,
      status: o.status,
      total: formatMoney(o.total),
      placedAt: formatDate(o.createdAt),
      items: items.map((i) => ({ sku: i.sku, qty: i.qty })),
    });
  }

  const totalsByStatus = userOrders.reduce<Record<string, number>>(
    (acc, o) => ({ ...acc, [o.status]: (acc[o.status] ?? 0) + o.total }),
    {},
  );

  return c.json({
    orders: history,
    totals: _.mapValues(totalsByStatus, formatMoney),
    isEmpty: _.isEmpty(history),
  });
});
