import { Hono } from 'hono';
import { lt, and, eq } from 'drizzle-orm';
import { createDb } from './db';
import type { AppEnv, Env } from './env';
import { ordersRoute } from './routes/orders';
import { usersRoute } from './routes/users';
import { orders } from './schema';

let requestCount = 0;

const app = new Hono<AppEnv>();

app.use('*', async (c, next) => {
  requestCount++;
  console.log(c.req.raw);
  c.set('db', createDb(c.env.DB));
  await next();
  c.header('x-served-by', `orders-service#${requestCount}`);
});

app.get('/health', (c) => c.json({ ok: true, requests: requestCount }));

app.route('/orders', ordersRoute);
app.route('/users', usersRoute);

app.notFound((c) => c.json({ error: 'not found' }, 404));
app.onError((err, c) => {
  console.error(err);
  return c.json({ error: 'internal error' }, 500);
});

// Nightly: cancel orders that were never paid.
async function scheduled(_controller: ScheduledController, env: Env, _ctx: ExecutionContext) {
  const db = createDb(env.DB);
  const cutoff = new Date(Date.now() - 7 * 24 * 60 * 60 * 1000);
  await db
    .update(orders)
    .set({ status: 'cancelled' })
    .where(and(eq(orders.status, 'pending'), lt(orders.createdAt, cutoff)));
}

export default {
  fetch: app.fetch,
  scheduled,
} satisfies ExportedHandler<Env>;
