/**
 * Like `Promise.all(items.map(fn))`, but with at most `limit` calls in flight.
 * Workers allow 6 simultaneous open connections per request; more just queue.
 */
export function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = (): Promise<void> => {
    const i = next++;
    if (i >= items.length) return Promise.resolve();
    return fn(items[i]).then((result) => {
      results[i] = result;
      return run();
    });
  };
  const workers = Array.from({ length: Math.min(limit, items.length) }, run);
  return Promise.all(workers).then(() => results);
}
