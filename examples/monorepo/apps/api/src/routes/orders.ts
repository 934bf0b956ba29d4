import type { Env } from '../types';

export async function quoteShipping(env: Env, items: { sku: string }[]) {
  const quotes = [];
  for (const item of items) {
    const res = await fetch(`${env.SHIPPING_API}/quote/${item.sku}`);
    quotes.push(await res.json());
  }
  return quotes;
}
