import type { ProductStatus } from '@shop/contracts';

export interface ImageState {
  /** `gs://bucket/path` of the object. */
  uri: string;
  alt: string;
}

export interface VariantState {
  sku: string;
  options: Record<string, string>;
  priceMinor: number;
}

/** A product as catalog managers edit it; variants in display order. */
export interface ProductState {
  id: string;
  slug: string;
  name: string;
  description: string;
  status: ProductStatus;
  categoryId: string | null;
  currency: string;
  images: ImageState[];
  /** Option names in display order; every variant has a value for each. */
  optionNames: string[];
  variants: VariantState[];
}

/** A stored product: its state plus what the store keeps about it. */
export interface ProductRecord extends ProductState {
  version: number;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  /** Sellable units per SKU across warehouses (0 when inventory never reported it). */
  available: Record<string, number>;
}

export interface ProductRef {
  id: string;
  slug: string;
}

/** A broken product rule; the field is relative to the product, e.g. `variants.1.options`. */
export interface RuleViolation {
  field: string;
  message: string;
}

const UUID_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Products are addressed by id or slug in one path segment, so a slug may not look like an id. */
export const isUuidShaped = (value: string): boolean => UUID_SHAPED.test(value);

/** Option names in order of first appearance across the variants. */
export function optionNamesOf(variants: readonly VariantState[]): string[] {
  const names: string[] = [];
  for (const v of variants) for (const name of Object.keys(v.options)) if (!names.includes(name)) names.push(name);
  return names;
}

const comboKey = (options: Record<string, string>, names: readonly string[]): string => JSON.stringify(names.map((n) => options[n] ?? null));

/** Rules a product must keep whatever the path it is written through (API or import). */
export function productRules(state: ProductState): RuleViolation[] {
  const violations: RuleViolation[] = [];
  if (isUuidShaped(state.slug)) violations.push({ field: 'slug', message: 'must not look like a product id' });
  if (state.variants.length === 0) violations.push({ field: 'variants', message: 'must hold at least one variant' });
  const seenSkus = new Map<string, number>();
  const seenCombos = new Map<string, number>();
  const names = new Set(state.optionNames);
  state.variants.forEach((v, i) => {
    const earlier = seenSkus.get(v.sku);
    if (earlier !== undefined) violations.push({ field: `variants.${i}.sku`, message: `repeats the SKU of variant ${earlier}` });
    else seenSkus.set(v.sku, i);
    const keys = Object.keys(v.options);
    const missing = state.optionNames.filter((n) => !(n in v.options));
    const extra = keys.filter((k) => !names.has(k));
    if (missing.length || extra.length) {
      violations.push({ field: `variants.${i}.options`, message: `every variant needs the options ${state.optionNames.join(', ') || '(none)'}` });
      return;
    }
    if (state.variants.length > 1) {
      const combo = comboKey(v.options, state.optionNames);
      const same = seenCombos.get(combo);
      if (same !== undefined) violations.push({ field: `variants.${i}.options`, message: `has the same option values as variant ${same}` });
      else seenCombos.set(combo, i);
    }
  });
  return violations;
}

export function priceRange(variants: readonly VariantState[]): { min: number; max: number } {
  const prices = variants.map((v) => v.priceMinor);
  return { min: Math.min(...prices), max: Math.max(...prices) };
}

/** Option names with their values in the order variants first use them, for a variant picker. */
export function optionsView(state: Pick<ProductState, 'optionNames' | 'variants'>): Array<{ name: string; values: string[] }> {
  return state.optionNames.map((name) => {
    const values: string[] = [];
    for (const v of state.variants) {
      const value = v.options[name];
      if (value !== undefined && !values.includes(value)) values.push(value);
    }
    return { name, values };
  });
}

const sortedEntries = (options: Record<string, string>): Array<[string, string]> => Object.entries(options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export const sameVariant = (a: VariantState, b: VariantState): boolean =>
  a.sku === b.sku && a.priceMinor === b.priceMinor && JSON.stringify(sortedEntries(a.options)) === JSON.stringify(sortedEntries(b.options));

/** Whether two states are the same product content (a write of `next` over `current` would change nothing). */
export function sameState(current: ProductState, next: ProductState): boolean {
  const canonical = (s: ProductState) =>
    JSON.stringify([
      s.slug,
      s.name,
      s.description,
      s.status,
      s.categoryId,
      s.currency,
      s.images.map((i) => [i.uri, i.alt]),
      s.optionNames,
      s.variants.map((v) => [v.sku, v.priceMinor, sortedEntries(v.options)]),
    ]);
  return canonical(current) === canonical(next);
}

export const stateOf = (record: ProductRecord): ProductState => ({
  id: record.id,
  slug: record.slug,
  name: record.name,
  description: record.description,
  status: record.status,
  categoryId: record.categoryId,
  currency: record.currency,
  images: record.images,
  optionNames: record.optionNames,
  variants: record.variants,
});

export const totalAvailable = (record: Pick<ProductRecord, 'variants' | 'available'>): number =>
  record.variants.reduce((sum, v) => sum + (record.available[v.sku] ?? 0), 0);
