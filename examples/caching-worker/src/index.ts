import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { listProducts, productById } from './catalog';
import { account } from './routes/account';
import { pages } from './routes/pages';

const app = new Hono<{ Bindings: Env }>();
app.use('*', cors());

// Reported (cacheable-route): public, URL-only, I/O through a helper in another file.
app.get('/products', async (c) => c.json(await listProducts(c.env)));

// Reported (cacheable-route): the id is part of the URL, so a cache keyed by URL fits.
app.get('/products/:id', async (c) => c.json(await productById(c.env, c.req.param('id'))));

// Silent: no I/O.
app.get('/health', (c) => c.text('ok'));

// Reported (cacheable-route, uncached-static-query): the same settings row on every request.
app.get('/banner', async (c) => {
  const banner = await c.env.DB.prepare("SELECT value FROM settings WHERE key = 'banner'").first<{ value: string }>();
  return c.text(banner?.value ?? '');
});

// Silent: POST.
app.post('/products', async (c) => {
  const body = await c.req.json<{ name: string; price: number }>();
  await c.env.DB.prepare('INSERT INTO products (name, price, category_id) VALUES (?, ?, 1)').bind(body.name, body.price).run();
  return c.json({ ok: true }, 201);
});

// Silent: the answer depends on the caller.
app.get('/recommended', async (c) => {
  const user = c.req.header('x-user-id') ?? 'anonymous';
  return c.json(await c.env.FLAGS.get(`recommended:${user}`, 'json'));
});

app.route('/account', account);
app.route('/pages', pages);

export default app;
