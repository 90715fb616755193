import type { Knex } from '@shop/kit';
import type { CategoryRef } from '@shop/contracts';
import type { CategoryRow } from '../domain/categories';
import type { ProductRef } from '../domain/products';

type Db = Knex | Knex.Transaction;

export async function listCategories(db: Db): Promise<CategoryRow[]> {
  const result = await db.raw<{ rows: CategoryRow[] }>(`select id, slug, name, parent_id as "parentId", position from categories`);
  return result.rows;
}

export async function findCategory(db: Db, id: string): Promise<CategoryRow | null> {
  const result = await db.raw<{ rows: CategoryRow[] }>(`select id, slug, name, parent_id as "parentId", position from categories where id = ?`, [id]);
  return result.rows[0] ?? null;
}

export async function findCategoryBySlug(db: Db, slug: string): Promise<CategoryRow | null> {
  const result = await db.raw<{ rows: CategoryRow[] }>(`select id, slug, name, parent_id as "parentId", position from categories where slug = ?`, [slug]);
  return result.rows[0] ?? null;
}

/** Tree changes run one at a time, so two concurrent moves cannot together make a cycle. */
export async function lockTree(trx: Knex.Transaction): Promise<void> {
  await trx.raw(`select pg_advisory_xact_lock(hashtextextended('catalog:category-tree', 0))`);
}

export async function insertCategory(trx: Knex.Transaction, c: CategoryRow): Promise<void> {
  await trx('categories').insert({ id: c.id, slug: c.slug, name: c.name, parent_id: c.parentId, position: c.position });
}

export async function updateCategory(trx: Knex.Transaction, c: CategoryRow): Promise<void> {
  await trx('categories').where({ id: c.id }).update({ slug: c.slug, name: c.name, parent_id: c.parentId, position: c.position, updated_at: trx.fn.now() });
}

export async function deleteCategory(trx: Knex.Transaction, id: string): Promise<void> {
  // Deleted products keep no category: a restored one comes back uncategorised.
  await trx.raw(`update products set category_id = null, version = version + 1, updated_at = now() where category_id = ? and deleted_at is not null`, [id]);
  await trx('categories').where({ id }).delete();
}

/** What stands in the way of deleting a category: live products in it and child categories. */
export async function categoryUsage(db: Db, id: string): Promise<{ products: number; children: number }> {
  const result = await db.raw<{ rows: Array<{ products: number; children: number }> }>(
    `select (select count(*) from products where category_id = ? and deleted_at is null)::int as products,
            (select count(*) from categories where parent_id = ?)::int as children`,
    [id, id],
  );
  return result.rows[0] ?? { products: 0, children: 0 };
}

/**
 * Re-weights the search text of products in these categories (their category names changed)
 * and returns them, so their cached pages can be dropped.
 */
export async function refreshProductsIn(trx: Knex.Transaction, categoryIds: string[]): Promise<ProductRef[]> {
  const result = await trx.raw<{ rows: ProductRef[] }>(
    `update products set search = product_search_vector(name, category_id, description)
      where category_id = any(?::uuid[]) and deleted_at is null
      returning id, slug`,
    [categoryIds],
  );
  return result.rows;
}

/** The category and its ancestors, root first (a product's breadcrumb). */
export async function categoryPath(db: Db, id: string): Promise<CategoryRef[]> {
  const result = await db.raw<{ rows: CategoryRef[] }>(
    `with recursive up(id, slug, name, parent_id, depth) as (
       select id, slug, name, parent_id, 0 from categories where id = ?
       union all
       select c.id, c.slug, c.name, c.parent_id, up.depth + 1 from categories c join up on c.id = up.parent_id where up.depth < 64
     )
     select id, slug, name from up order by depth desc`,
    [id],
  );
  return result.rows;
}
