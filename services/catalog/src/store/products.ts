import type { ProductStatus } from '@shop/contracts';
import type { Knex } from '@shop/kit';
import { priceRange, type ImageState, type ProductRecord, type ProductState, type VariantState } from '../domain/products';

type Db = Knex | Knex.Transaction;

interface ProductRow {
  id: string;
  slug: string;
  name: string;
  description: string;
  status: ProductStatus;
  category_id: string | null;
  currency: string;
  images: ImageState[];
  option_names: string[];
  version: number;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

interface VariantRow {
  sku: string;
  product_id: string;
  options: Record<string, string>;
  // bigint columns arrive as strings
  price_minor: string;
  available: number | null;
}

const PRODUCT_COLUMNS = 'p.id, p.slug, p.name, p.description, p.status, p.category_id, p.currency, p.images, p.option_names, p.version, p.created_at, p.updated_at, p.deleted_at';

function toRecord(row: ProductRow, variants: VariantRow[]): ProductRecord {
  const available: Record<string, number> = {};
  const states: VariantState[] = variants.map((v) => {
    available[v.sku] = v.available ?? 0;
    return { sku: v.sku, options: v.options, priceMinor: Number(v.price_minor) };
  });
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    status: row.status,
    categoryId: row.category_id,
    currency: row.currency,
    images: row.images,
    optionNames: row.option_names,
    variants: states,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    available,
  };
}

async function withVariants(db: Db, rows: ProductRow[]): Promise<ProductRecord[]> {
  if (!rows.length) return [];
  const variants = await db.raw<{ rows: VariantRow[] }>(
    `select v.sku, v.product_id, v.options, v.price_minor, s.available
       from variants v left join sku_stock s on s.sku = v.sku
      where v.product_id = any(?::uuid[])
      order by v.product_id, v.position`,
    [rows.map((r) => r.id)],
  );
  const byProduct = new Map<string, VariantRow[]>();
  for (const v of variants.rows) {
    const list = byProduct.get(v.product_id) ?? [];
    list.push(v);
    byProduct.set(v.product_id, list);
  }
  return rows.map((r) => toRecord(r, byProduct.get(r.id) ?? []));
}

export type ProductKey = { id: string } | { slug: string };

export interface FindOptions {
  /** Only what shoppers may see: active and not deleted. */
  publicOnly?: boolean;
  /** Lock the product row for the rest of the transaction. */
  forUpdate?: boolean;
}

/** A product by id, or the live product with a slug. */
export async function findProduct(db: Db, key: ProductKey, options: FindOptions = {}): Promise<ProductRecord | null> {
  const where = 'id' in key ? 'p.id = ?' : 'p.slug = ? and p.deleted_at is null';
  const visible = options.publicOnly ? ` and p.status = 'active' and p.deleted_at is null` : '';
  const result = await db.raw<{ rows: ProductRow[] }>(
    `select ${PRODUCT_COLUMNS} from products p where ${where}${visible}${options.forUpdate ? ' for update' : ''}`,
    ['id' in key ? key.id : key.slug],
  );
  const [record] = await withVariants(db, result.rows);
  return record ?? null;
}

export async function findProducts(db: Db, ids: string[]): Promise<ProductRecord[]> {
  const result = await db.raw<{ rows: ProductRow[] }>(`select ${PRODUCT_COLUMNS} from products p where p.id = any(?::uuid[])`, [ids]);
  return withVariants(db, result.rows);
}

/** Which product each SKU belongs to now. */
export async function skuOwners(db: Db, skus: string[]): Promise<Map<string, { productId: string; deleted: boolean }>> {
  if (!skus.length) return new Map();
  const result = await db.raw<{ rows: Array<{ sku: string; product_id: string; deleted: boolean }> }>(
    `select v.sku, v.product_id, p.deleted_at is not null as deleted from variants v join products p on p.id = v.product_id where v.sku = any(?::text[])`,
    [skus],
  );
  return new Map(result.rows.map((r) => [r.sku, { productId: r.product_id, deleted: r.deleted }]));
}

/** The live product holding a slug, if any. */
export async function slugOwner(db: Db, slug: string): Promise<string | null> {
  const row = (await db('products').select('id').where({ slug }).whereNull('deleted_at').first()) as { id: string } | undefined;
  return row?.id ?? null;
}

const productColumns = (state: ProductState) => {
  const { min, max } = priceRange(state.variants);
  return {
    slug: state.slug,
    name: state.name,
    description: state.description,
    status: state.status,
    category_id: state.categoryId,
    currency: state.currency,
    images: JSON.stringify(state.images),
    option_names: JSON.stringify(state.optionNames),
    price_min: min,
    price_max: max,
  };
};

const UPSERT_VARIANTS = `
insert into variants (sku, product_id, currency, options, price_minor, position)
select sku, ?::uuid, ?, options, price_minor, position
from jsonb_to_recordset(?::jsonb) as v(sku text, options jsonb, price_minor bigint, position int)
on conflict (sku) do update set options = excluded.options, price_minor = excluded.price_minor, position = excluded.position
  -- never takes over another product's SKU; the caller sees the row missing
  where variants.product_id = excluded.product_id
returning sku`;

export class SkuTakenError extends Error {
  constructor(readonly skus: string[]) {
    super(`SKU ${skus.join(', ')} belongs to another product`);
  }
}

async function writeVariants(trx: Knex.Transaction, state: ProductState): Promise<void> {
  await trx.raw('delete from variants where product_id = ? and not (sku = any(?::text[]))', [state.id, state.variants.map((v) => v.sku)]);
  const rows = state.variants.map((v, position) => ({ sku: v.sku, options: v.options, price_minor: v.priceMinor, position }));
  const written = await trx.raw<{ rows: Array<{ sku: string }> }>(UPSERT_VARIANTS, [state.id, state.currency, JSON.stringify(rows)]);
  if (written.rows.length !== rows.length) {
    const mine = new Set(written.rows.map((r) => r.sku));
    throw new SkuTakenError(rows.map((r) => r.sku).filter((s) => !mine.has(s)));
  }
}

export async function insertProduct(trx: Knex.Transaction, state: ProductState): Promise<void> {
  await trx('products').insert({ id: state.id, ...productColumns(state) });
  await writeVariants(trx, state);
}

/** Writes the new state over a locked product and bumps its version. */
export async function updateProduct(trx: Knex.Transaction, state: ProductState): Promise<void> {
  await trx('products')
    .where({ id: state.id })
    .update({ ...productColumns(state), version: trx.raw('version + 1'), updated_at: trx.fn.now() });
  await writeVariants(trx, state);
}

/** Sets or clears deleted_at of a locked product and bumps its version. */
export async function setDeleted(trx: Knex.Transaction, id: string, deleted: boolean): Promise<void> {
  await trx('products')
    .where({ id })
    .update({ deleted_at: deleted ? trx.fn.now() : null, version: trx.raw('version + 1'), updated_at: trx.fn.now() });
}
