// Name sorting for an admin export that moved to another service: nothing
// in the Worker uses it any more, but the barrel still re-exports it, so
// the collator is built on every cold start.
export const collator = new Intl.Collator('en', { sensitivity: 'base', numeric: true });

export function compareNames(a: string, b: string): number {
  return collator.compare(a, b);
}
