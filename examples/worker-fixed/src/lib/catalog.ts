const SKU_PATTERN = /^[a-z0-9-]+$/;
const CATALOGUE_SKU = /^sku-(\d{5})$/;
const CATALOGUE_SIZE = 50_000;

// Warehouse bin for a catalogue SKU, used when building pick lists.
// Bins are assigned round-robin across aisles A-Z, so compute instead of storing a table.
export function binFor(sku: string): string | undefined {
  const match = CATALOGUE_SKU.exec(sku);
  if (!match) return undefined;
  const i = Number(match[1]);
  if (i >= CATALOGUE_SIZE) return undefined;
  return `${String.fromCharCode(65 + (i % 26))}-${Math.floor(i / 26) % 400}`;
}

export function validateSkus(skus: string[]): string[] {
  return skus.filter((sku) => !SKU_PATTERN.test(sku));
}
