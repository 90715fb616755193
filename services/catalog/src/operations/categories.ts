import { randomUUID } from 'node:crypto';
import { problems, type Knex } from '@shop/kit';
import { subtreeIds, wouldCycle, type CategoryRow } from '../domain/categories';
import { categoryEvent } from '../domain/events';
import type { ProductRef } from '../domain/products';
import { categoryUsage, deleteCategory as removeCategory, findCategory, insertCategory, listCategories, lockTree, refreshProductsIn, updateCategory as saveCategory } from '../store/categories';
import { write, type Core } from './core';

export interface CategoryInput {
  slug: string;
  name: string;
  parentId: string | null;
  position: number;
}

async function requireParent(trx: Knex.Transaction, parentId: string | null): Promise<void> {
  if (parentId && !(await findCategory(trx, parentId))) throw problems.validation([{ field: 'body.parentId', message: `category ${parentId} does not exist` }]);
}

async function lockCategory(trx: Knex.Transaction, id: string): Promise<{ current: CategoryRow; all: CategoryRow[] }> {
  await lockTree(trx);
  const all = await listCategories(trx);
  const current = all.find((c) => c.id === id);
  if (!current) throw problems.notFound(`Category ${id}`);
  return { current, all };
}

export async function createCategory(core: Core, input: CategoryInput): Promise<CategoryRow> {
  const row: CategoryRow = { id: randomUUID(), ...input };
  return write(core, async (trx) => {
    await lockTree(trx);
    await requireParent(trx, row.parentId);
    await insertCategory(trx, row);
    return { result: row, events: [categoryEvent(row, false)], products: [], listings: true };
  });
}

/**
 * Renames, re-slugs, re-positions or moves a category. When its place or name changes, the
 * products below it are re-weighted for search and their cached pages (breadcrumbs) dropped.
 */
export async function changeCategory(core: Core, id: string, patch: Partial<CategoryInput>): Promise<CategoryRow> {
  return write(core, async (trx) => {
    const { current, all } = await lockCategory(trx, id);
    const next: CategoryRow = { ...current, ...patch };
    if (next.parentId !== current.parentId) {
      await requireParent(trx, next.parentId);
      if (wouldCycle(all, id, next.parentId)) {
        throw problems.conflict('category-cycle', 'Category would contain itself', `Category ${id} cannot move under itself or one of its descendants`);
      }
    }
    if (JSON.stringify(next) === JSON.stringify(current)) return { result: current, events: [], products: [], listings: false };
    await saveCategory(trx, next);
    let products: ProductRef[] = [];
    if (next.parentId !== current.parentId || next.name !== current.name || next.slug !== current.slug) {
      products = await refreshProductsIn(trx, subtreeIds(all, id));
    }
    return { result: next, events: [categoryEvent(next, false)], products, listings: true };
  });
}

/** Deletes an empty category: one with live products or child categories is refused. */
export async function deleteCategory(core: Core, id: string): Promise<CategoryRow> {
  return write(core, async (trx) => {
    const { current } = await lockCategory(trx, id);
    const usage = await categoryUsage(trx, id);
    if (usage.products || usage.children) {
      throw problems.conflict('category-in-use', 'Category is in use', `Category ${current.slug} has ${usage.products} product(s) and ${usage.children} child categories; move them first`, usage);
    }
    await removeCategory(trx, id);
    return { result: current, events: [categoryEvent(current, true)], products: [], listings: true };
  });
}
