import type { TableSpec } from '@shop/contracts';

/** A column value: TIMESTAMP as UTC ISO 8601, DATE as YYYY-MM-DD, JSON as its text. */
export type WarehouseValue = string | number | boolean | null;

/** A row to append, with the id that makes a retried write land once. */
export interface WarehouseRow {
  insertId: string;
  values: Record<string, WarehouseValue>;
}

export type ResultRow = Record<string, WarehouseValue>;

/** A filter on one column; a Date compares with TIMESTAMP columns. */
export interface Condition {
  column: string;
  op: '=' | '<' | '<=' | '>' | '>=';
  value: string | number | boolean | Date;
}

export interface ReadQuery {
  /** All must hold. */
  where?: readonly Condition[];
  orderBy?: readonly { column: string; descending?: boolean }[];
  limit?: number;
}

export interface CoViewedProduct {
  productId: string;
  /** Sessions in which both were viewed, summed over the days and shards asked for. */
  sessions: number;
}

export interface CoViewedQuery {
  /** UTC days to sum, today included. */
  days?: number;
  limit?: number;
  /** Defaults to the current time; tests pass one. */
  now?: Date;
}

/** Warehouse port: BigQuery in production, a DuckDB file on one machine. */
export interface Warehouse {
  /** Appends rows to a contract table; rows with an insert id already written are not written again. */
  insert(table: TableSpec, rows: readonly WarehouseRow[]): Promise<void>;
  /** Rows of a table or view, in the value forms of WarehouseValue. */
  read(relation: string, query?: ReadQuery): Promise<ResultRow[]>;
  /** "Shoppers also viewed": the products most often viewed in the same sessions as `productId`, over recent days. */
  topCoViewed(productId: string, query?: CoViewedQuery): Promise<CoViewedProduct[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
