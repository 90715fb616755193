import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { ColumnType, TableSpec } from '@shop/contracts';
import { tableRefs } from './sql';

/**
 * Runs the views' BigQuery SQL on the machine's Postgres. Postgres gets the few BigQuery functions
 * the views call (SAFE_DIVIDE, TIMESTAMP_TRUNC, LOGICAL_AND) with BigQuery's semantics, and the SQL
 * gets only syntax rewritten: backquoted references and date-part keywords.
 */
const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const PG_TYPES: Record<ColumnType, string> = {
  STRING: 'text',
  INT64: 'bigint',
  FLOAT64: 'double precision',
  BOOL: 'boolean',
  TIMESTAMP: 'timestamptz',
  DATE: 'date',
  JSON: 'jsonb',
};

const BIGQUERY_FUNCTIONS = [
  // NULL instead of a division by zero; FLOAT64 like BigQuery's.
  `CREATE FUNCTION safe_divide(a numeric, b numeric) RETURNS double precision LANGUAGE sql IMMUTABLE
     AS 'SELECT (a / NULLIF(b, 0))::double precision'`,
  // The session runs in UTC, as BigQuery's TIMESTAMP functions do by default.
  `CREATE FUNCTION timestamp_trunc(ts timestamptz, part text) RETURNS timestamptz LANGUAGE sql IMMUTABLE
     AS 'SELECT date_trunc(lower(part), ts)'`,
  `CREATE AGGREGATE logical_and(boolean) (SFUNC = booland_statefunc, STYPE = boolean)`,
];

/** BigQuery constructs Postgres lacks and this harness does not emulate. */
const UNSUPPORTED = /\bQUALIFY\b|\bEXCEPT\s*\(|\bSAFE\.|\bIF\s*\(|\bCOUNTIF\s*\(|\bANY_VALUE\s*\(|\bSTRUCT\b|\bUNNEST\b/i;

/** The view's SQL in Postgres' syntax; references must name `project`, and become `"dataset"."table"`. */
export function toPostgres(sql: string, project: string): string {
  const unsupported = UNSUPPORTED.exec(sql);
  if (unsupported) throw new Error(`the Postgres harness cannot run ${unsupported[0]}: emulate it in BIGQUERY_FUNCTIONS`);
  for (const ref of tableRefs(sql)) {
    if (ref.project !== project) throw new Error(`reference to project ${ref.project}, expected ${project}`);
  }
  return sql
    .replace(/`[^`.]+\.([^`.]+)\.([^`.]+)`/g, (_, dataset: string, table: string) => `"${dataset}"."${table}"`)
    .replace(/\bTIMESTAMP_TRUNC\(([^(),]+),\s*(MINUTE|HOUR|DAY)\)/g, "timestamp_trunc($1, '$2')");
}

export interface Warehouse {
  client: Client;
  dataset: string;
  /** Inserts rows, given by column name; omitted columns get NULL. */
  insert(table: TableSpec, rows: readonly Record<string, unknown>[]): Promise<void>;
  /** All rows of a relation as JSON objects (numbers as numbers, timestamps as ISO strings), in `orderBy` order when given. */
  rows(relation: string, orderBy: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** A throwaway database holding the contract tables of `tables` in schema `dataset`. */
export async function createWarehouse(dataset: string, tables: readonly TableSpec[]): Promise<Warehouse> {
  const name = `dashboards_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const client = new Client({ connectionString: url.toString(), options: '-c TimeZone=UTC' });
  await client.connect();
  await client.query(`CREATE SCHEMA "${dataset}"`);
  for (const statement of BIGQUERY_FUNCTIONS) await client.query(statement);
  for (const table of tables) {
    const columns = table.columns.map((c) => `"${c.name}" ${PG_TYPES[c.type]}${c.required ? ' NOT NULL' : ''}`);
    await client.query(`CREATE TABLE "${dataset}"."${table.name}" (${columns.join(', ')})`);
  }
  return {
    client,
    dataset,
    insert: async (table, rows) => {
      for (const row of rows) {
        const unknown = Object.keys(row).filter((k) => !table.columns.some((c) => c.name === k));
        if (unknown.length > 0) throw new Error(`${table.name} has no column ${unknown.join(', ')}`);
        const names = table.columns.map((c) => c.name);
        const values = names.map((n) => row[n] ?? null);
        const placeholders = names.map((_, i) => `$${i + 1}`);
        await client.query(`INSERT INTO "${dataset}"."${table.name}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${placeholders.join(', ')})`, values);
      }
    },
    rows: async (relation, orderBy) => {
      const result = await client.query<{ row: Record<string, unknown> }>(`SELECT row_to_json(r) AS row FROM "${dataset}"."${relation}" AS r${orderBy ? ` ORDER BY ${orderBy}` : ''}`);
      return result.rows.map((r) => r.row);
    },
    drop: async () => {
      await client.end();
      const cleanup = new Client({ connectionString: ADMIN_URL });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
