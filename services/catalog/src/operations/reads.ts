import { productListQuerySchema, type ProductPage } from '@shop/contracts';
import { problems } from '@shop/kit';
import type { z } from 'zod';
import { pageOf, productKeys, type Page } from '../cache/read-cache';
import { categoryViews } from '../domain/categories';
import { decodeCursor, effectiveSort, encodeCursor } from '../domain/listing';
import { isUuidShaped } from '../domain/products';
import { searchWords } from '../domain/search';
import { productDetailView, productSummaryView } from '../domain/views';
import { categoryPath, listCategories } from '../store/categories';
import { listProducts } from '../store/listing';
import { findProduct, type ProductKey } from '../store/products';
import type { Core } from './core';

export type ProductListQuery = z.output<typeof productListQuerySchema>;

/** A live, active product's page, from the cache when it has it; null when there is no such product. */
export async function productPage(core: Core, idOrSlug: string): Promise<Page | null> {
  const key: ProductKey = isUuidShaped(idOrSlug) ? { id: idOrSlug.toLowerCase() } : { slug: idOrSlug };
  const cached = await core.cache.get('id' in key ? productKeys.id(key.id) : productKeys.slug(key.slug));
  if (cached) return cached;
  const record = await findProduct(core.db, key, { publicOnly: true });
  if (!record) return null;
  const breadcrumb = record.categoryId ? await categoryPath(core.db, record.categoryId) : [];
  const page = pageOf(JSON.stringify(productDetailView(core.view, record, breadcrumb)));
  core.cache.putProduct(record, page);
  return page;
}

/** One page of a listing or search, from the cache when the current generation has it. */
export async function listingPage(core: Core, query: ProductListQuery): Promise<Page> {
  const sort = effectiveSort(query.sort, query.q !== undefined);
  const cursor = query.cursor ? decodeCursor(query.cursor, sort) : null;
  if (query.cursor && !cursor) throw problems.validation([{ field: 'query.cursor', message: 'is not a cursor this API issued for this sort' }]);
  const key = await core.cache.listingKey('listing', { ...query, sort });
  const cached = key ? await core.cache.get(key) : null;
  if (cached) return cached;
  const listed = await listProducts(core.db, {
    words: query.q !== undefined ? searchWords(query.q) : null,
    q: query.q ?? null,
    categorySlug: query.category,
    minPrice: query.minPrice,
    maxPrice: query.maxPrice,
    inStock: query.inStock,
    sort,
    cursor,
    limit: query.limit,
  });
  const body: ProductPage = { items: listed.rows.map((r) => productSummaryView(core.view, r)), nextCursor: listed.next ? encodeCursor(listed.next) : null };
  const page = pageOf(JSON.stringify(body));
  if (key) core.cache.put([key], page, core.cache.ttl.listingSeconds);
  return page;
}

/** The category tree, cached with the listings (every category change retires both). */
export async function categoriesPage(core: Core): Promise<Page> {
  const key = await core.cache.listingKey('categories', null);
  const cached = key ? await core.cache.get(key) : null;
  if (cached) return cached;
  const page = pageOf(JSON.stringify({ items: categoryViews(await listCategories(core.db)) }));
  if (key) core.cache.put([key], page, core.cache.ttl.listingSeconds);
  return page;
}
