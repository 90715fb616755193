import type { Knex } from '@shop/kit';
import type { ProductSnapshot } from '../domain/events';
import { productRules, sameState, type ProductRecord, type ProductState } from '../domain/products';
import { insertProduct, skuOwners, slugOwner, updateProduct } from '../store/products';
import { ProductRejected } from './core';

export type SaveOutcome = 'created' | 'updated' | 'unchanged';

/**
 * Checks a product's next state against the rules and the rest of the catalog, without writing:
 * what saving it would do, or a ProductRejected naming the fields at fault.
 */
export async function checkState(trx: Knex | Knex.Transaction, current: ProductRecord | null, next: ProductState): Promise<SaveOutcome> {
  const violations = productRules(next);
  if (next.categoryId && !(await trx('categories').where({ id: next.categoryId }).first('id'))) {
    violations.push({ field: 'categoryId', message: `category ${next.categoryId} does not exist` });
  }
  if (violations.length) throw new ProductRejected('invalid', violations);
  if (current && sameState(current, next)) return 'unchanged';
  const owner = await slugOwner(trx, next.slug);
  if (owner && owner !== next.id) throw new ProductRejected('slug-taken', [{ field: 'slug', message: `${next.slug} is the slug of product ${owner}` }]);
  const owners = await skuOwners(
    trx,
    next.variants.map((v) => v.sku),
  );
  const taken = next.variants.flatMap((v, i) => {
    const o = owners.get(v.sku);
    return o && o.productId !== next.id ? [{ field: `variants.${i}.sku`, message: `${v.sku} belongs to ${o.deleted ? 'deleted ' : ''}product ${o.productId}` }] : [];
  });
  if (taken.length) throw new ProductRejected('sku-taken', taken);
  return current ? 'updated' : 'created';
}

/** Checks and writes a product's next state; an unchanged product is not written (no new version). */
export async function saveState(trx: Knex.Transaction, current: ProductRecord | null, next: ProductState): Promise<SaveOutcome> {
  const outcome = await checkState(trx, current, next);
  if (outcome === 'created') await insertProduct(trx, next);
  if (outcome === 'updated') await updateProduct(trx, next);
  return outcome;
}

export const snapshotOf = (state: ProductState, version: number, deletedAt: Date | null): ProductSnapshot => ({
  id: state.id,
  slug: state.slug,
  name: state.name,
  status: state.status,
  categoryId: state.categoryId,
  currency: state.currency,
  variants: state.variants,
  version,
  deletedAt,
});
