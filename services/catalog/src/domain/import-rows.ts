import { z } from 'zod';
import { currencySchema, minorUnitsSchema, PRODUCT_STATUSES, skuSchema, slugSchema, type ProductStatus } from '@shop/contracts';
import { GS_OBJECT_URI } from './images';
import { isUuidShaped, type ImageState, type ProductRecord, type ProductState } from './products';

/**
 * The product CSV: one row per variant, product columns repeated on each row of a product
 * (rows with the same product_slug). Required: product_slug, product_name, currency, sku,
 * price_minor. Optional: options (`size=M;colour=black`), status (draft|active|archived),
 * category_slug, description, images (`gs://bucket/a.jpg|Alt text;gs://bucket/b.jpg|Back`).
 * An optional column left blank (or absent) keeps what the product has; new products get
 * no options, status draft, no category, no description, no images.
 */
export const REQUIRED_COLUMNS = ['product_slug', 'product_name', 'currency', 'sku', 'price_minor'] as const;
export const OPTIONAL_COLUMNS = ['options', 'status', 'category_slug', 'description', 'images'] as const;
/** Columns that describe the product rather than the variant, so must agree across its rows. */
const PRODUCT_COLUMNS = ['product_name', 'currency', 'status', 'category_slug', 'description', 'images'] as const;

export interface RowError {
  /** Line in the file (the header is line 1). */
  row: number;
  /** Column at fault, or null when the row fails because of another row. */
  field: string | null;
  message: string;
}

export interface ImportRow {
  line: number;
  productSlug: string;
  productName: string;
  currency: string;
  sku: string;
  priceMinor: number;
  options: Record<string, string> | null;
  status: ProductStatus | null;
  categorySlug: string | null;
  description: string | null;
  images: ImageState[] | null;
}

/** A column that may be absent or blank (null); otherwise parsed by `schema`, keeping its messages. */
const optional = <T extends z.ZodType<unknown, string>>(schema: T) =>
  z
    .string()
    .optional()
    .transform((value, ctx): z.output<T> | null => {
      if (value === undefined || value === '') return null;
      const parsed = schema.safeParse(value);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    });

/** `name=value;name=value`, names and values trimmed; names in the order written. */
const optionsColumn = z.string().transform((text, ctx) => {
  const options: Record<string, string> = {};
  for (const pair of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const value = pair.slice(at + 1).trim();
    if (at <= 0 || !value || name.length > 40 || value.length > 80) {
      ctx.addIssue({ code: 'custom', message: `"${pair}" is not name=value (name up to 40, value up to 80 characters)` });
      return z.NEVER;
    }
    if (name in options) {
      ctx.addIssue({ code: 'custom', message: `option ${name} is given twice` });
      return z.NEVER;
    }
    options[name] = value;
  }
  if (Object.keys(options).length > 5) {
    ctx.addIssue({ code: 'custom', message: 'at most 5 options per variant' });
    return z.NEVER;
  }
  return options;
});

/** `uri|alt;uri|alt`; the alt text may be left out. */
const imagesColumn = z.string().transform((text, ctx) => {
  const images: ImageState[] = [];
  for (const entry of text.split(';').map((e) => e.trim()).filter(Boolean)) {
    const bar = entry.indexOf('|');
    const uri = (bar < 0 ? entry : entry.slice(0, bar)).trim();
    const alt = bar < 0 ? '' : entry.slice(bar + 1).trim();
    if (!GS_OBJECT_URI.test(uri) || uri.length > 1024 || alt.length > 300) {
      ctx.addIssue({ code: 'custom', message: `"${uri}" is not a gs://bucket/object URI (with alt text up to 300 characters)` });
      return z.NEVER;
    }
    images.push({ uri, alt });
  }
  if (images.length > 20) {
    ctx.addIssue({ code: 'custom', message: 'at most 20 images' });
    return z.NEVER;
  }
  return images;
});

const rowSchema = z.object({
  product_slug: slugSchema.refine((s) => !isUuidShaped(s), 'must not look like a product id'),
  product_name: z.string().min(1, 'is required').max(200),
  currency: currencySchema,
  sku: skuSchema,
  // Not z.coerce: a blank cell would become 0.
  price_minor: z.string().regex(/^\d{1,11}$/, 'must be a whole number of minor units, e.g. 1999').transform(Number).pipe(minorUnitsSchema),
  options: optional(optionsColumn),
  status: optional(z.enum(PRODUCT_STATUSES)),
  category_slug: optional(slugSchema),
  description: optional(z.string().max(10_000)),
  images: optional(imagesColumn),
});

/** Header problems that make the whole file unusable. */
export function headerProblem(columns: readonly string[]): string | null {
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  return missing.length ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (required: ${REQUIRED_COLUMNS.join(', ')})` : null;
}

export function parseRow(record: Record<string, string>, line: number): ImportRow | RowError[] {
  const parsed = rowSchema.safeParse(record);
  if (!parsed.success) {
    // One error per column: a blank slug breaks two rules but is one mistake.
    const byColumn = new Map<string | null, RowError>();
    for (const issue of parsed.error.issues) {
      const field = issue.path.map(String).join('.') || null;
      if (!byColumn.has(field)) byColumn.set(field, { row: line, field, message: issue.message });
    }
    return [...byColumn.values()];
  }
  const d = parsed.data;
  return {
    line,
    productSlug: d.product_slug,
    productName: d.product_name,
    currency: d.currency,
    sku: d.sku,
    priceMinor: d.price_minor,
    options: d.options,
    status: d.status,
    categorySlug: d.category_slug,
    description: d.description,
    images: d.images,
  };
}

export interface ProductGroup {
  slug: string;
  rows: ImportRow[];
}

const productValue = (row: ImportRow, column: (typeof PRODUCT_COLUMNS)[number]): string => {
  const values: Record<(typeof PRODUCT_COLUMNS)[number], unknown> = {
    product_name: row.productName,
    currency: row.currency,
    status: row.status,
    category_slug: row.categorySlug,
    description: row.description,
    images: row.images,
  };
  return JSON.stringify(values[column]);
};

/**
 * Groups valid rows into products in file order. A SKU repeated in the file, or a product
 * column that differs from the product's first row, fails that row naming the column.
 */
export function groupRows(rows: readonly ImportRow[]): { groups: ProductGroup[]; errors: RowError[] } {
  const groups = new Map<string, ProductGroup>();
  const skus = new Map<string, number>();
  const errors: RowError[] = [];
  for (const row of rows) {
    const earlier = skus.get(row.sku);
    if (earlier !== undefined) {
      errors.push({ row: row.line, field: 'sku', message: `SKU ${row.sku} is already on row ${earlier}` });
      continue;
    }
    const group = groups.get(row.productSlug);
    const first = group?.rows[0];
    const differs = first ? PRODUCT_COLUMNS.find((c) => productValue(row, c) !== productValue(first, c)) : undefined;
    if (first && differs) {
      errors.push({ row: row.line, field: differs, message: `differs from row ${first.line} of product ${row.productSlug}` });
      continue;
    }
    skus.set(row.sku, row.line);
    if (group) group.rows.push(row);
    else groups.set(row.productSlug, { slug: row.productSlug, rows: [row] });
  }
  return { groups: [...groups.values()], errors };
}

/**
 * The product a group describes, written over what is stored: the group's SKUs update their
 * variants or are added after the existing ones (variants the file does not mention stay),
 * blank optional columns keep the stored value.
 */
export function mergeGroup(current: ProductRecord | null, group: ProductGroup, id: string, categoryId: string | null | undefined): ProductState {
  const first = group.rows[0]!;
  const variants = current ? current.variants.map((v) => ({ ...v, options: { ...v.options } })) : [];
  const optionNames = current ? [...current.optionNames] : [];
  for (const row of group.rows) {
    const existing = variants.find((v) => v.sku === row.sku);
    const options = row.options ?? existing?.options ?? {};
    for (const name of Object.keys(options)) if (!optionNames.includes(name)) optionNames.push(name);
    if (existing) {
      existing.priceMinor = row.priceMinor;
      existing.options = options;
    } else {
      variants.push({ sku: row.sku, priceMinor: row.priceMinor, options });
    }
  }
  return {
    id,
    slug: group.slug,
    name: first.productName,
    description: first.description ?? current?.description ?? '',
    status: first.status ?? current?.status ?? 'draft',
    categoryId: categoryId === undefined ? (current?.categoryId ?? null) : categoryId,
    currency: first.currency,
    images: first.images ?? current?.images ?? [],
    optionNames,
    variants,
  };
}

/** The file column a product rule's field comes from, and the row it belongs on. */
export function locateViolation(group: ProductGroup, state: ProductState, field: string): { row: number; column: string } {
  const first = group.rows[0]!.line;
  const variant = /^variants\.(\d+)\.(\w+)/.exec(field);
  if (variant) {
    const sku = state.variants[Number(variant[1])]?.sku;
    const row = group.rows.find((r) => r.sku === sku)?.line ?? first;
    return { row, column: variant[2] === 'options' ? 'options' : 'sku' };
  }
  const columns: Record<string, string> = { slug: 'product_slug', name: 'product_name', categoryId: 'category_slug', variants: 'sku' };
  return { row: first, column: columns[field] ?? field };
}
