import { WAREHOUSE_TABLES } from '@shop/contracts';
import { identifier } from './rows';
import type { CoViewedQuery, Condition, ReadQuery } from './types';

/** How an engine spells a relation and a bound value. */
export interface Dialect {
  relation(name: string): string;
  /** Placeholder of the value at `index` (0-based) of the statement's values. */
  placeholder(index: number, value: Condition['value']): string;
}

export interface Statement {
  sql: string;
  values: Condition['value'][];
}

const MAX_LIMIT = 10_000;
const DAY_MS = 24 * 60 * 60 * 1000;

function limitOf(limit: number | undefined, fallback: number | null): string {
  const value = limit ?? fallback;
  if (value === null) return '';
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) throw new Error(`limit must be an integer from 1 to ${MAX_LIMIT}`);
  return `\nLIMIT ${value}`;
}

/** SELECT * of a relation with the query's filters, order and limit; every value bound. */
export function readStatement(dialect: Dialect, relation: string, query: ReadQuery = {}): Statement {
  const values: Condition['value'][] = [];
  const bind = (value: Condition['value']): string => dialect.placeholder(values.push(value) - 1, value);
  const where = (query.where ?? []).map((c) => `${identifier(c.column)} ${c.op} ${bind(c.value)}`);
  const order = (query.orderBy ?? []).map((o) => `${identifier(o.column)}${o.descending ? ' DESC' : ''}`);
  const sql =
    `SELECT * FROM ${dialect.relation(identifier(relation))}` +
    (where.length ? `\nWHERE ${where.join(' AND ')}` : '') +
    (order.length ? `\nORDER BY ${order.join(', ')}` : '') +
    limitOf(query.limit, null);
  return { sql, values };
}

export const DEFAULT_CO_VIEWED_DAYS = 7;
export const DEFAULT_CO_VIEWED_LIMIT = 10;

/** Start of the earliest UTC day of the `days` days ending with the one `now` is in. */
export function coViewedSince(now: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 1 || days > 366) throw new Error('days must be an integer from 1 to 366');
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return new Date(today - (days - 1) * DAY_MS);
}

/**
 * The products most often co-viewed with one product: the newest pane of every day, pair and
 * shard, summed over days and shards, ranked by sessions and then product id.
 */
export function topCoViewedStatement(dialect: Dialect, productId: string, query: CoViewedQuery = {}): Statement {
  const table = WAREHOUSE_TABLES.coViews;
  const since = coViewedSince(query.now ?? new Date(), query.days ?? DEFAULT_CO_VIEWED_DAYS);
  const values: Condition['value'][] = [productId, since];
  const sql = `SELECT co_product_id, SUM(sessions) AS sessions
FROM (
  SELECT co_product_id, sessions, ROW_NUMBER() OVER (PARTITION BY ${table.key.join(', ')} ORDER BY emitted_at DESC) AS pane_rank
  FROM ${dialect.relation(table.name)}
  WHERE product_id = ${dialect.placeholder(0, productId)} AND window_start >= ${dialect.placeholder(1, since)}
) AS panes
WHERE pane_rank = 1
GROUP BY co_product_id
HAVING SUM(sessions) > 0
ORDER BY sessions DESC, co_product_id${limitOf(query.limit, DEFAULT_CO_VIEWED_LIMIT)}`;
  return { sql, values };
}
