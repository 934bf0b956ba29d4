import { Hono } from 'hono';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from './types';
import { quoteShipping } from '@/routes/orders';
import { listUsers } from '@/routes/users';
import { locateAll } from '@acme/shared';

const app = new Hono<{ Bindings: Env }>();

app.get('/users', async (c) => c.json(await listUsers(drizzle(c.env.DB))));

app.post('/orders/quote', async (c) => {
  const { items } = await c.req.json<{ items: { sku: string }[] }>();
  return c.json(await quoteShipping(c.env, items));
});

app.post('/visitors', async (c) => {
  const { ips } = await c.req.json<{ ips: string[] }>();
  return c.json(await locateAll(ips));
});

export default app;
