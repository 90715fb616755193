import type { Knex } from '@shop/kit';
import type { CartHeader, StoredLine } from '../domain/cart';

interface CartRow {
  id: string;
  shopper_id: string;
  currency: string | null;
  version: number;
  updated_at: Date;
}

interface LineRow {
  sku: string;
  product_id: string;
  name: string;
  slug: string;
  category_id: string | null;
  options: Record<string, string>;
  quantity: number;
  unit_price_minor: string;
  currency: string;
  sellable: boolean;
  available: number;
}

const header = (row: CartRow): CartHeader => ({ id: row.id, shopperId: row.shopper_id, currency: row.currency, version: row.version, updatedAt: row.updated_at.toISOString() });

const line = (row: LineRow): StoredLine => ({
  sku: row.sku,
  productId: row.product_id,
  name: row.name,
  slug: row.slug,
  categoryId: row.category_id,
  options: row.options,
  quantity: row.quantity,
  // bigint arrives as a string; amounts stay far below 2^53.
  unitPriceMinor: Number(row.unit_price_minor),
  currency: row.currency,
  sellable: row.sellable,
  available: row.available,
});

export async function insertCart(db: Knex, id: string, shopperId: string): Promise<CartHeader> {
  const [row] = (await db('carts').insert({ id, shopper_id: shopperId }).returning(['id', 'shopper_id', 'currency', 'version', 'updated_at'])) as CartRow[];
  return header(row!);
}

export async function cartHeader(db: Knex | Knex.Transaction, id: string, lock = false): Promise<CartHeader | null> {
  const query = db<CartRow>('carts').where({ id }).first('id', 'shopper_id', 'currency', 'version', 'updated_at');
  const row = (await (lock ? query.forUpdate() : query)) as CartRow | undefined;
  return row ? header(row) : null;
}

export async function cartLines(db: Knex | Knex.Transaction, cartId: string): Promise<StoredLine[]> {
  const rows = (await db('cart_lines').where({ cart_id: cartId }).orderBy('position')) as LineRow[];
  return rows.map(line);
}

/** Replaces the cart's lines and bumps its version, so every cached view of the old version goes out of use. */
export async function saveCart(trx: Knex.Transaction, cartId: string, lines: readonly StoredLine[], currency: string | null): Promise<CartHeader> {
  await trx('cart_lines').where({ cart_id: cartId }).delete();
  if (lines.length) {
    await trx('cart_lines').insert(
      lines.map((l, position) => ({
        cart_id: cartId,
        sku: l.sku,
        position,
        quantity: l.quantity,
        product_id: l.productId,
        name: l.name,
        slug: l.slug,
        category_id: l.categoryId,
        options: JSON.stringify(l.options),
        unit_price_minor: l.unitPriceMinor,
        currency: l.currency,
        sellable: l.sellable,
        available: l.available,
      })),
    );
  }
  const [row] = (await trx('carts')
    .where({ id: cartId })
    .update({ currency, version: trx.raw('version + 1'), updated_at: trx.fn.now() })
    .returning(['id', 'shopper_id', 'currency', 'version', 'updated_at'])) as CartRow[];
  return header(row!);
}

/**
 * Takes a product's lines out of every cart; returns the carts changed with the version their views
 * were cached under. Carts are locked first, in id order, as every cart change locks them.
 */
export async function removeProductLines(trx: Knex.Transaction, productId: string, skus: readonly string[]): Promise<Array<{ id: string; version: number }>> {
  const holding = (await trx('cart_lines').where('product_id', productId).orWhereIn('sku', [...skus]).distinct('cart_id')) as Array<{ cart_id: string }>;
  if (!holding.length) return [];
  const locked = (await trx('carts').whereIn('id', holding.map((h) => h.cart_id)).orderBy('id').forUpdate().select('id', 'version')) as Array<{ id: string; version: number }>;
  const ids = locked.map((c) => c.id);
  await trx('cart_lines').whereIn('cart_id', ids).andWhere((q) => q.where('product_id', productId).orWhereIn('sku', [...skus])).delete();
  await trx.raw(
    `update carts c
        set version = c.version + 1,
            updated_at = now(),
            currency = case when exists (select 1 from cart_lines l where l.cart_id = c.id) then c.currency end
      where c.id = any(?::uuid[])`,
    [ids],
  );
  return locked;
}

/**
 * After an order is placed its lines leave the cart, in one statement that locks the cart first as
 * every cart change does. Returns the cart with the version its view was cached under, if it changed.
 */
export async function removeSkusFromCart(trx: Knex.Transaction, cartId: string, skus: readonly string[]): Promise<{ id: string; version: number } | null> {
  const result = await trx.raw<{ rows: Array<{ id: string; version: number }> }>(
    `with cart as (select id, version from carts where id = ? for update),
          lines as (select count(*) as n from cart_lines where cart_id = ?),
          gone as (delete from cart_lines where cart_id = ? and sku = any(?::text[]) returning sku),
          bumped as (
            update carts c
               set version = c.version + 1,
                   updated_at = now(),
                   currency = case when (select n from lines) > (select count(*) from gone) then c.currency end
              from cart
             where c.id = cart.id and exists (select 1 from gone)
            returning c.id)
     select cart.id, cart.version from cart where exists (select 1 from bumped)`,
    [cartId, cartId, cartId, [...skus]],
  );
  return result.rows[0] ?? null;
}
