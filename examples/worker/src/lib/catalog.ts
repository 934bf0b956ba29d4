// Warehouse bin for each catalogue SKU, used when building pick lists.
const BIN_BY_SKU: Record<string, string> = {};
for (let i = 0; i < 50_000; i++) {
  const sku = `sku-${i.toString().padStart(5, '0')}`;
  BIN_BY_SKU[sku] = `${String.fromCharCode(65 + (i % 26))}-${Math.floor(i / 26) % 400}`;
}

export function binFor(sku: string): string | undefined {
  return BIN_BY_SKU[sku];
}

export function validateSkus(skus: string[]): string[] {
  const invalid: string[] = [];
  for (const sku of skus) {
    const pattern = new RegExp('^[a-z0-9-]+$');
    if (!pattern.test(sku)) invalid.push(sku);
  }
  return invalid;
}
