import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';

export const pages = new Hono<{ Bindings: Env }>();

pages.get('/home', async (c) => {
  // Silent (uncached-static-query): a router another file mounts may sit
  // behind that file's middleware; the same query in the entry is reported.
  const site = await c.env.DB.prepare("SELECT value FROM settings WHERE key = 'site'").first<{ value: string }>();
  return c.html(`<h1>${site?.value ?? 'Shop'}</h1>`);
});

pages.get('/about', async (c) => {
  const cache = caches.default;
  const hit = await cache.match(c.req.url);
  if (hit) return hit;
  const html = `<h1>About</h1>`;
  const response = new Response(html, {
    headers: { 'Content-Type': 'text/html', 'Cache-Control': 'public, max-age=300', 'Set-Cookie': 'visited=1; Path=/' },
  });
  // Reported (cache-never-stores): a response with a cookie is never stored.
  // Reported (cache-write-blocks-response): the response waits for the write.
  await cache.put(c.req.url, response.clone());
  return response;
});

pages.get('/terms', async (c) => {
  const cache = caches.default;
  const hit = await cache.match(c.req.url);
  if (hit) return hit;
  const response = new Response('<h1>Terms</h1>', {
    headers: { 'Content-Type': 'text/html', 'Cache-Control': 'public, max-age=3600' },
  });
  // Silent: a storable response, written after the response with waitUntil.
  c.executionCtx.waitUntil(cache.put(c.req.url, response.clone()));
  return response;
});

pages.get('/welcome', async (c) => {
  // Reported (cache-never-stores): shared caches are asked to keep a response that sets a cookie.
  c.header('Cache-Control', 'public, max-age=600');
  setCookie(c, 'welcomed', '1');
  return c.html('<h1>Welcome</h1>');
});

pages.get('/export', async (c) => {
  const { results } = await c.env.DB.prepare('SELECT id, name FROM categories WHERE id > ? ORDER BY id LIMIT 500').bind(Number(c.req.query('after') ?? 0)).all();
  // Reported (manual-compression): Cloudflare compresses at the edge for free.
  const body = new Blob([JSON.stringify(results)]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Response(body, { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } });
});

pages.get('/category/:id', async (c) => {
  const id = Number(c.req.param('id'));
  const category = await c.env.DB.prepare('SELECT id, name FROM categories WHERE id = ?').bind(id).first<{ id: number }>();
  if (!category) return c.notFound();
  // Reported (placement-hint, info for D1): a second round trip that needs the first.
  const products = await c.env.DB.prepare('SELECT id, name, price FROM products WHERE category_id = ? LIMIT 50').bind(category.id).all();
  return c.json({ category, products: products.results });
});

pages.get('/category/:id/summary', async (c) => {
  const id = Number(c.req.param('id'));
  // Silent: one round trip for both queries.
  const [category, products] = await c.env.DB.batch([
    c.env.DB.prepare('SELECT id, name FROM categories WHERE id = ?').bind(id),
    c.env.DB.prepare('SELECT COUNT(*) AS n FROM products WHERE category_id = ?').bind(id),
  ]);
  return c.json({ category: category.results[0], products: products.results[0] });
});
