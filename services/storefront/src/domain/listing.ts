import { PRODUCT_SORTS, type ProductSort } from '@shop/contracts';
import type { CatalogQuery } from '../callees/catalog';
import { parseMajorAmount } from './money';

/** A listing's filters as the shopper typed them, to show them again. */
export interface ListingFilters {
  minPrice: string;
  maxPrice: string;
  inStock: boolean;
  sort: ProductSort | null;
  cursor: string | null;
}

export type ListingField = 'q' | 'minPrice' | 'maxPrice' | 'inStock' | 'sort' | 'cursor';
export type ListingErrors = Partial<Record<ListingField, string>>;

export interface ListingRequest {
  filters: ListingFilters;
  errors: ListingErrors;
  /** What to ask the catalog, when there are no errors (category and q added by the caller). */
  catalog: Omit<CatalogQuery, 'category' | 'q'>;
}

export const MAX_QUERY_LENGTH = 200;
const CURSOR = /^[A-Za-z0-9_-]{1,512}$/;

/** Sorts offered on a listing; relevance only ranks search results. */
export const sortsFor = (search: boolean): ProductSort[] => PRODUCT_SORTS.filter((s) => search || s !== 'relevance');

/** A query parameter as one string: absent and empty are both "not given"; repeated or nested is an error. */
function single(query: Record<string, unknown>, name: string, errors: ListingErrors, field: ListingField): string | null {
  const value = query[name];
  if (value === undefined) return null;
  if (typeof value !== 'string') {
    errors[field] = 'must be given once';
    return null;
  }
  return value.trim() === '' ? null : value.trim();
}

/** The search words, or null when none were given. */
export function readSearchQuery(query: Record<string, unknown>, errors: ListingErrors): string | null {
  const q = single(query, 'q', errors, 'q');
  if (q !== null && q.length > MAX_QUERY_LENGTH) {
    errors.q = `must be at most ${MAX_QUERY_LENGTH} characters`;
    return null;
  }
  return q;
}

export interface ListingOptions {
  /** The currency price filters are typed in. */
  currency: string;
  pageSize: number;
  /** A search (relevance is a sort) rather than a category. */
  search: boolean;
}

/** Reads a listing page's filters (price in the store currency's major units) into a catalog query. */
export function readListing(query: Record<string, unknown>, options: ListingOptions, errors: ListingErrors = {}): ListingRequest {
  const { currency, search } = options;
  const minText = single(query, 'minPrice', errors, 'minPrice');
  const maxText = single(query, 'maxPrice', errors, 'maxPrice');
  const inStockText = single(query, 'inStock', errors, 'inStock');
  const sortText = single(query, 'sort', errors, 'sort');
  const cursor = single(query, 'cursor', errors, 'cursor');
  const catalog: ListingRequest['catalog'] = { limit: options.pageSize };

  const price = (text: string | null, field: 'minPrice' | 'maxPrice'): number | undefined => {
    if (text === null) return undefined;
    const parsed = parseMajorAmount(text, currency);
    if ('error' in parsed) {
      errors[field] = parsed.error;
      return undefined;
    }
    return parsed.minor;
  };
  const min = price(minText, 'minPrice');
  const max = price(maxText, 'maxPrice');
  if (min !== undefined) catalog.minPrice = min;
  if (max !== undefined) catalog.maxPrice = max;
  if (min !== undefined && max !== undefined && max < min) errors.maxPrice = 'must not be below the minimum price';

  if (inStockText !== null && inStockText !== 'true') errors.inStock = 'must be ticked or left out';
  if (inStockText === 'true') catalog.inStock = 'true';

  let sort: ProductSort | null = null;
  if (sortText !== null) {
    if ((sortsFor(search) as string[]).includes(sortText)) sort = sortText as ProductSort;
    else errors.sort = 'is not one of the offered orders';
  }
  if (sort) catalog.sort = sort;

  if (cursor !== null && !CURSOR.test(cursor)) errors.cursor = 'is not a page link this shop made';
  if (cursor !== null && !errors.cursor) catalog.cursor = cursor;

  return { filters: { minPrice: minText ?? '', maxPrice: maxText ?? '', inStock: inStockText === 'true', sort, cursor }, errors, catalog };
}

/** A listing URL with the same filters; a new cursor for the next page, none for the first. */
export function listingHref(path: string, q: string | null, filters: ListingFilters, cursor: string | null): string {
  const params = new URLSearchParams();
  if (q) params.set('q', q);
  if (filters.minPrice) params.set('minPrice', filters.minPrice);
  if (filters.maxPrice) params.set('maxPrice', filters.maxPrice);
  if (filters.inStock) params.set('inStock', 'true');
  if (filters.sort) params.set('sort', filters.sort);
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
