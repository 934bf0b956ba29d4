import { Hono } from 'hono';
import { jwtVerify, createRemoteJWKSet } from 'jose';

export const account = new Hono<{ Bindings: Env }>();

// Reported (unbounded-memory-cache): keyed by each caller's IP, never evicted.
const attempts = new Map<string, number>();

// Silent: bounded (the oldest entry is evicted).
const recentCarts = new Map<string, unknown>();

account.get('/cart', async (c) => {
  const ip = c.req.header('cf-connecting-ip') ?? '';
  const seen = attempts.get(ip) ?? 0;
  attempts.set(ip, seen + 1);
  // Reported (uncached-subrequest): a new key set on every request fetches the JWKS again.
  const keys = createRemoteJWKSet(new URL(c.env.JWKS_URL));
  const { payload } = await jwtVerify(c.req.header('authorization')?.slice(7) ?? '', keys);
  const userId = String(payload.sub);
  let cart = recentCarts.get(userId);
  if (!cart) {
    cart = await c.env.DB.prepare('SELECT items FROM carts WHERE user_id = ?').bind(userId).first();
    recentCarts.set(userId, cart);
    if (recentCarts.size > 1000) recentCarts.delete(recentCarts.keys().next().value!);
  }
  return c.json(cart);
});

// Reported (cache-never-stores): the Cache API's put throws for a POST request.
account.post('/cart/preview', async (c) => {
  const items = await c.req.json<string[]>();
  const response = Response.json({ items, count: items.length });
  c.executionCtx.waitUntil(caches.default.put(c.req.raw, response.clone()));
  return response;
});
