import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { WAREHOUSE_DATASET, WAREHOUSE_TABLE_LIST, type ColumnType, type TableSpec } from '@shop/contracts';
import { checkedValues, identifier } from './rows';
import { readStatement, topCoViewedStatement, type Dialect, type Statement } from './sql';
import type { CoViewedProduct, CoViewedQuery, ReadQuery, ResultRow, Warehouse, WarehouseRow, WarehouseValue } from './types';

const DUCKDB_TYPES: Record<ColumnType, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  // Naive timestamps holding UTC, as BigQuery's TIMESTAMP reads back.
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  JSON: 'JSON',
};

/** Column holding the insert id; its primary key makes a retried insert land once. */
export const DUCKDB_INSERT_ID_COLUMN = '_insert_id';

/** A view over the warehouse tables, in DuckDB's SQL, with relations written as "schema"."name". */
export interface DuckDbView {
  name: string;
  sql: string;
}

export interface DuckDbWarehouseOptions {
  /** Database file (its folder is created), or ':memory:'. */
  file: string;
  /** Schema holding the tables; the BigQuery dataset's name by default. */
  schema?: string;
  tables?: readonly TableSpec[];
  /** Created (or replaced) after the tables, in order. */
  views?: readonly DuckDbView[];
}

/** Rows per INSERT statement: each statement carries its rows as one JSON parameter, which DuckDB parses natively. */
const ROWS_PER_STATEMENT = 5_000;

/** How a column travels in that JSON and becomes its stored type. */
const JSON_TYPES: Record<ColumnType, { json: string; cast: string | null }> = {
  STRING: { json: 'VARCHAR', cast: null },
  INT64: { json: 'BIGINT', cast: null },
  FLOAT64: { json: 'DOUBLE', cast: null },
  BOOL: { json: 'BOOLEAN', cast: null },
  TIMESTAMP: { json: 'VARCHAR', cast: 'TIMESTAMP' },
  DATE: { json: 'VARCHAR', cast: 'DATE' },
  JSON: { json: 'VARCHAR', cast: 'JSON' },
};

/** INSERT OR IGNORE of rows given as a JSON array of objects keyed by column. */
function insertStatement(target: string, table: TableSpec): string {
  const columns = [{ name: DUCKDB_INSERT_ID_COLUMN, type: 'STRING' as ColumnType }, ...table.columns];
  const shape = JSON.stringify(Object.fromEntries(columns.map((c) => [c.name, JSON_TYPES[c.type].json])));
  const select = columns.map((c) => {
    const cast = JSON_TYPES[c.type].cast;
    return cast ? `CAST(r."${c.name}" AS ${cast})` : `r."${c.name}"`;
  });
  return `INSERT OR IGNORE INTO ${target} (${columns.map((c) => `"${c.name}"`).join(', ')})
SELECT ${select.join(', ')} FROM (SELECT unnest(from_json($1, '[${shape}]')) AS r)`;
}

function toDuckDb(value: WarehouseValue | Date): DuckDBValue {
  return value instanceof Date ? value.toISOString() : value;
}

/** A query value in the port's forms: BIGINT and HUGEINT as numbers, TIMESTAMP as ISO, DATE as YYYY-MM-DD. */
function fromDuckDb(value: unknown, typeId: DuckDBTypeId): WarehouseValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`integer ${value} is beyond what the warehouse port carries`);
    return n;
  }
  if (value instanceof Date) return typeId === DuckDBTypeId.DATE ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

/** Runs one operation at a time on the connection, so a transaction is never interleaved with another call. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.tail.then(op, op);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

class DuckDbWarehouse implements Warehouse {
  private readonly serial = new Serial();
  private readonly dialect: Dialect;

  constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly schema: string,
  ) {
    this.dialect = {
      relation: (name) => `"${schema}"."${name}"`,
      // Strings bound for timestamps would compare as VARCHAR; the cast makes them TIMESTAMPs.
      placeholder: (index, value) => (value instanceof Date ? `CAST($${index + 1} AS TIMESTAMP)` : `$${index + 1}`),
    };
  }

  async insert(table: TableSpec, rows: readonly WarehouseRow[]): Promise<void> {
    if (rows.length === 0) return;
    const checked = rows.map((row) => ({ [DUCKDB_INSERT_ID_COLUMN]: row.insertId, ...checkedValues(table, row) }));
    const statement = insertStatement(this.dialect.relation(identifier(table.name)), table);
    await this.serial.run(async () => {
      await this.connection.run('BEGIN TRANSACTION');
      try {
        for (let i = 0; i < checked.length; i += ROWS_PER_STATEMENT) {
          await this.connection.run(statement, [JSON.stringify(checked.slice(i, i + ROWS_PER_STATEMENT))]);
        }
        await this.connection.run('COMMIT');
      } catch (err) {
        await this.connection.run('ROLLBACK');
        throw err;
      }
    });
  }

  async read(relation: string, query?: ReadQuery): Promise<ResultRow[]> {
    return this.query(readStatement(this.dialect, relation, query));
  }

  async topCoViewed(productId: string, query?: CoViewedQuery): Promise<CoViewedProduct[]> {
    const rows = await this.query(topCoViewedStatement(this.dialect, productId, query));
    return rows.map((r) => ({ productId: String(r.co_product_id), sessions: Number(r.sessions) }));
  }

  async ping(): Promise<void> {
    await this.serial.run(() => this.connection.run('SELECT 1'));
  }

  close(): Promise<void> {
    return this.serial.run(() => {
      this.connection.closeSync();
      this.instance.closeSync();
      return Promise.resolve();
    });
  }

  private query(statement: Statement): Promise<ResultRow[]> {
    return this.serial.run(async () => {
      const reader = await this.connection.runAndReadAll(statement.sql, statement.values.map(toDuckDb));
      const names = reader.columnNames();
      const types = reader.columnTypes().map((t) => t.typeId);
      // The insert-id column is the adapter's, not the contract's.
      const shown = names.map((name, i) => ({ name, i, type: types[i] ?? DuckDBTypeId.VARCHAR })).filter((c) => c.name !== DUCKDB_INSERT_ID_COLUMN);
      return reader.getRowsJS().map((values) => Object.fromEntries(shown.map((c) => [c.name, fromDuckDb(values[c.i], c.type)])));
    });
  }
}

/**
 * The local warehouse: a DuckDB file with the contract's tables (created when missing, with an
 * insert-id key) and the given views. DuckDB allows one writing process per file.
 */
export async function createDuckDbWarehouse(options: DuckDbWarehouseOptions): Promise<Warehouse> {
  if (options.file !== ':memory:') await mkdir(path.dirname(path.resolve(options.file)), { recursive: true });
  const schema = identifier(options.schema ?? WAREHOUSE_DATASET);
  const instance = await DuckDBInstance.create(options.file);
  const connection = await instance.connect();
  await connection.run(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  for (const table of options.tables ?? WAREHOUSE_TABLE_LIST) {
    const columns = table.columns.map((c) => `"${identifier(c.name)}" ${DUCKDB_TYPES[c.type]}${c.required ? ' NOT NULL' : ''}`);
    await connection.run(`CREATE TABLE IF NOT EXISTS "${schema}"."${identifier(table.name)}" ("${DUCKDB_INSERT_ID_COLUMN}" VARCHAR PRIMARY KEY, ${columns.join(', ')})`);
  }
  for (const view of options.views ?? []) await connection.run(`CREATE OR REPLACE VIEW "${schema}"."${identifier(view.name)}" AS ${view.sql}`);
  return new DuckDbWarehouse(instance, connection, schema);
}
