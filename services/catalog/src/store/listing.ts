import type { ProductSort, SkuPrice } from '@shop/contracts';
import type { Knex } from '@shop/kit';
import { SORT_DIRECTION, type ListCursor } from '../domain/listing';
import type { ImageState } from '../domain/products';
import type { SummaryRow } from '../domain/views';

export interface ListFilter {
  /** Words of the search query (see searchWords), or null when there is none. */
  words: string[] | null;
  /** The query as typed, for ranking by similarity to the name. */
  q: string | null;
  categorySlug?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: boolean | undefined;
  sort: ProductSort;
  cursor: ListCursor | null;
  limit: number;
}

/** Each sort's key, and the type its printed value is read back as from a cursor. */
const SORT_KEYS: Record<ProductSort, { expr: string; type: 'bigint' | 'timestamptz' | 'text' }> = {
  // Full-text rank plus closeness of the name to the query, scaled to an integer so cursors compare exactly.
  // Words as typed count double over their corrections; ties go to the name closest to the query.
  relevance: { expr: `round((ts_rank(p.search, q.tsq) + 2 * ts_rank(p.search, q.exact) + 0.5 * word_similarity(q.text, lower(p.name))) * 1000000)::bigint`, type: 'bigint' },
  price_asc: { expr: 'p.price_min', type: 'bigint' },
  price_desc: { expr: 'p.price_min', type: 'bigint' },
  newest: { expr: 'p.created_at', type: 'timestamptz' },
  // A bounded prefix keeps the cursor short whatever the name; longer names tie-break by id.
  name: { expr: 'left(lower(p.name), 60)', type: 'text' },
  best_selling: { expr: 'coalesce(ps.units, 0)', type: 'bigint' },
};

/**
 * Query words the catalog does not know are widened by the known words they are close to
 * (trigram similarity), OR-ed per word and AND-ed across words, all as prefixes: "blak hoodei"
 * becomes (blak:* | black:*) & (hoodei:* | hoodie:*). Words are letters and digits only (searchWords).
 */
const QUERY_CTES = `
tokens as (
  select ord, token from unnest(?::text[]) with ordinality as t(token, ord)
), alternatives as (
  select ord, token as word from tokens
  union
  select t.ord, w.word from tokens t cross join lateral (
    select word from search_words
     where length(t.token) >= 3 and word % t.token
       and not exists (select 1 from search_words known where known.word = t.token)
     order by word <-> t.token limit 3
  ) w
), q as (
  select to_tsquery('english', string_agg(alts, ' & ')) as tsq,
         to_tsquery('english', (select string_agg(token || ':*', ' & ') from tokens)) as exact,
         ?::text as text
  from (select '(' || string_agg(word || ':*', ' | ') || ')' as alts from alternatives group by ord) per_word
)`;

const SUBTREE_CTE = `
subtree as (
  select id from categories where slug = ?
  union all
  select c.id from categories c join subtree on c.parent_id = subtree.id
)`;

interface ListedRow {
  id: string;
  slug: string;
  name: string;
  category_id: string | null;
  price_min: string;
  currency: string;
  image: ImageState | null;
  in_stock: boolean;
  k: string;
}

export interface ListedPage {
  rows: SummaryRow[];
  /** Sort key of the last row, when there are more rows after it. */
  next: ListCursor | null;
}

/** Active, undeleted products matching the filter, one keyset page in the requested order. */
export async function listProducts(db: Knex, f: ListFilter): Promise<ListedPage> {
  if (f.words && f.words.length === 0) return { rows: [], next: null };
  const ctes: string[] = [];
  const cteBindings: unknown[] = [];
  const where: string[] = [`p.status = 'active'`, 'p.deleted_at is null'];
  const bindings: unknown[] = [];
  if (f.categorySlug) {
    ctes.push(SUBTREE_CTE);
    cteBindings.push(f.categorySlug);
    where.push('p.category_id in (select id from subtree)');
  }
  if (f.words) {
    ctes.push(QUERY_CTES);
    cteBindings.push(f.words, (f.q ?? '').toLowerCase());
    where.push('p.search @@ q.tsq');
  }
  if (f.minPrice !== undefined) {
    where.push('p.price_min >= ?');
    bindings.push(f.minPrice);
  }
  if (f.maxPrice !== undefined) {
    where.push('p.price_min <= ?');
    bindings.push(f.maxPrice);
  }
  const key = SORT_KEYS[f.sort];
  const direction = SORT_DIRECTION[f.sort];
  const outer: string[] = [];
  const outerBindings: unknown[] = [];
  if (f.inStock !== undefined) {
    outer.push('x.in_stock = ?');
    outerBindings.push(f.inStock);
  }
  if (f.cursor) {
    outer.push(`(x.k, x.id) ${direction === 'asc' ? '>' : '<'} (?::${key.type}, ?::uuid)`);
    outerBindings.push(f.cursor.k, f.cursor.id);
  }
  const sql = `${ctes.length ? `with recursive ${ctes.join(', ')}` : ''}
select x.id, x.slug, x.name, x.category_id, x.price_min, x.currency, x.image, x.in_stock, x.k::text as k from (
  select p.id, p.slug, p.name, p.category_id, p.price_min, p.currency, p.images -> 0 as image,
         -- A scalar subquery (never hashed over every variant): evaluated per row, after the sort and limit when it does not filter.
         coalesce((select true from variants v join sku_stock s on s.sku = v.sku where v.product_id = p.id and s.available > 0 limit 1), false) as in_stock,
         ${key.expr} as k
  from products p${f.words ? ' cross join q' : ''}${f.sort === 'best_selling' ? ' left join product_sales ps on ps.product_id = p.id' : ''}
  where ${where.join(' and ')}
) x
${outer.length ? `where ${outer.join(' and ')}` : ''}
order by x.k ${direction}, x.id ${direction}
limit ?`;
  const result = await db.raw<{ rows: ListedRow[] }>(sql, [...cteBindings, ...bindings, ...outerBindings, f.limit + 1] as Knex.RawBinding[]);
  const rows = result.rows.slice(0, f.limit);
  const last = rows[rows.length - 1];
  return {
    rows: rows.map((r) => ({
      id: r.id,
      slug: r.slug,
      name: r.name,
      categoryId: r.category_id,
      priceMinor: Number(r.price_min),
      currency: r.currency,
      image: r.image ? { uri: r.image.uri, alt: r.image.alt } : null,
      inStock: r.in_stock,
    })),
    next: result.rows.length > f.limit && last ? { s: f.sort, k: last.k, id: last.id } : null,
  };
}

/** Prices of SKUs for carts and checkout; unknown SKUs are left out. */
export async function skuPrices(db: Knex, skus: string[]): Promise<SkuPrice[]> {
  const result = await db.raw<{ rows: Array<{ sku: string; product_id: string; name: string; slug: string; category_id: string | null; options: Record<string, string>; price_minor: string; currency: string; sellable: boolean }> }>(
    `select v.sku, p.id as product_id, p.name, p.slug, p.category_id, v.options, v.price_minor, v.currency,
            (p.status = 'active' and p.deleted_at is null) as sellable
       from variants v join products p on p.id = v.product_id
      where v.sku = any(?::text[])
      order by v.sku`,
    [skus],
  );
  return result.rows.map((r) => ({
    sku: r.sku,
    productId: r.product_id,
    productName: r.name,
    slug: r.slug,
    categoryId: r.category_id,
    options: r.options,
    priceMinor: Number(r.price_minor),
    currency: r.currency,
    sellable: r.sellable,
  }));
}
