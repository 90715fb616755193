import { randomUUID } from 'node:crypto';
import type { ProductStatus } from '@shop/contracts';
import { problems, type Knex } from '@shop/kit';
import { productEvent } from '../domain/events';
import { optionNamesOf, stateOf, type ImageState, type ProductRecord, type ProductState, type VariantState } from '../domain/products';
import { findProduct, setDeleted, slugOwner } from '../store/products';
import { write, type Core } from './core';
import { saveState, snapshotOf } from './product-writes';

export interface ProductInput {
  slug: string;
  name: string;
  description: string;
  status: ProductStatus;
  categoryId: string | null;
  currency: string;
  images: ImageState[];
  variants: VariantState[];
}

export type ProductPatch = Partial<ProductInput> & {
  /** The version the caller last saw; a different current version is a 409 instead of a lost update. */
  expectedVersion?: number | undefined;
};

async function lockProduct(trx: Knex.Transaction, id: string): Promise<ProductRecord> {
  const current = await findProduct(trx, { id }, { forUpdate: true });
  if (!current) throw problems.notFound(`Product ${id}`);
  return current;
}

function checkVersion(current: ProductRecord, expected: number | undefined): void {
  if (expected !== undefined && expected !== current.version) {
    throw problems.conflict('version-conflict', 'Product changed meanwhile', `Product is at version ${current.version}, not ${expected}`, { currentVersion: current.version });
  }
}

async function reload(trx: Knex.Transaction, id: string): Promise<ProductRecord> {
  return (await findProduct(trx, { id }))!;
}

export async function createProduct(core: Core, input: ProductInput): Promise<ProductRecord> {
  const state: ProductState = { id: randomUUID(), ...input, optionNames: optionNamesOf(input.variants) };
  return write(core, async (trx) => {
    await saveState(trx, null, state);
    const created = await reload(trx, state.id);
    return { result: created, events: [productEvent('catalog.product_created', snapshotOf(created, created.version, null))], products: [created], listings: true };
  });
}

/** Applies a partial change; `variants`, when given, is the product's complete new list. */
export async function updateProduct(core: Core, id: string, patch: ProductPatch): Promise<ProductRecord> {
  return write(core, async (trx) => {
    const current = await lockProduct(trx, id);
    if (current.deletedAt) throw problems.conflict('product-deleted', 'Product is deleted', `Restore product ${id} before changing it`);
    checkVersion(current, patch.expectedVersion);
    const { expectedVersion: _expected, ...changes } = patch;
    const next: ProductState = { ...stateOf(current), ...changes };
    if (changes.variants) next.optionNames = optionNamesOf(changes.variants);
    const outcome = await saveState(trx, current, next);
    if (outcome === 'unchanged') return { result: current, events: [], products: [], listings: false };
    const updated = await reload(trx, id);
    return {
      result: updated,
      events: [productEvent('catalog.product_updated', snapshotOf(updated, updated.version, null))],
      products: [current, updated],
      listings: true,
    };
  });
}

/** Soft delete: the product leaves every public read and carts drop it; deleting twice changes nothing. */
export async function deleteProduct(core: Core, id: string): Promise<ProductRecord> {
  return write(core, async (trx) => {
    const current = await lockProduct(trx, id);
    if (current.deletedAt) return { result: current, events: [], products: [], listings: false };
    await setDeleted(trx, id, true);
    const deleted = await reload(trx, id);
    return { result: deleted, events: [productEvent('catalog.product_deleted', snapshotOf(deleted, deleted.version, deleted.deletedAt))], products: [deleted], listings: true };
  });
}

export async function restoreProduct(core: Core, id: string): Promise<ProductRecord> {
  return write(core, async (trx) => {
    const current = await lockProduct(trx, id);
    if (!current.deletedAt) return { result: current, events: [], products: [], listings: false };
    const owner = await slugOwner(trx, current.slug);
    if (owner) throw problems.conflict('slug-taken', 'Slug is taken', `Product ${owner} has the slug ${current.slug} now; change that one first`);
    await setDeleted(trx, id, false);
    const restored = await reload(trx, id);
    return { result: restored, events: [productEvent('catalog.product_updated', snapshotOf(restored, restored.version, null))], products: [restored], listings: true };
  });
}
