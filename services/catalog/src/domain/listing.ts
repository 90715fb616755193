import type { ProductSort } from '@shop/contracts';

export type Direction = 'asc' | 'desc';

/** Relevance only means something with a query; without one the newest come first. */
export function effectiveSort(sort: ProductSort | undefined, hasQuery: boolean): ProductSort {
  if (!sort) return hasQuery ? 'relevance' : 'newest';
  if (sort === 'relevance' && !hasQuery) return 'newest';
  return sort;
}

/** Direction of each sort's key; ties are broken by product id in the same direction. */
export const SORT_DIRECTION: Record<ProductSort, Direction> = {
  relevance: 'desc',
  price_asc: 'asc',
  price_desc: 'desc',
  newest: 'desc',
  name: 'asc',
  best_selling: 'desc',
};

export interface ListCursor {
  /** Sort the cursor was issued for. */
  s: ProductSort;
  /** The last item's sort key, as the database printed it. */
  k: string;
  id: string;
}

export const encodeCursor = (cursor: ListCursor): string => Buffer.from(JSON.stringify(cursor)).toString('base64url');

const isCursor = (v: unknown): v is ListCursor => {
  if (typeof v !== 'object' || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.s === 'string' && c.s in SORT_DIRECTION && typeof c.k === 'string' && c.k.length <= 200 && typeof c.id === 'string' && /^[0-9a-f-]{36}$/.test(c.id);
};

/** The cursor, or null when it is not one this API issued for this sort. */
export function decodeCursor(text: string, sort: ProductSort): ListCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    return isCursor(value) && value.s === sort ? value : null;
  } catch {
    return null;
  }
}
