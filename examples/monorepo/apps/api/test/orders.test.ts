import { describe, expect, it } from 'vitest';
import { quoteShipping } from '../src/routes/orders';

describe('quoteShipping', () => {
  it('quotes every item', async () => {
    for (const sku of ['a', 'b', 'c']) {
      const res = await fetch(`http://localhost:8787/quote/${sku}`);
      expect(res.ok).toBe(true);
    }
    expect(await quoteShipping({ SHIPPING_API: 'http://localhost:8787' } as never, [])).toEqual([]);
  });
});
