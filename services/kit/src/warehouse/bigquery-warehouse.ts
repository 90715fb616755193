import { BigQuery, type BigQueryOptions, type Query } from '@google-cloud/bigquery';
import { WAREHOUSE_DATASET, WAREHOUSE_TABLE_LIST, type TableSpec } from '@shop/contracts';
import { checkedValues, identifier } from './rows';
import { readStatement, topCoViewedStatement, type Dialect, type Statement } from './sql';
import type { CoViewedProduct, CoViewedQuery, ReadQuery, ResultRow, Warehouse, WarehouseRow, WarehouseValue } from './types';

export interface BigQueryWarehouseOptions {
  projectId: string;
  /** The analytics dataset; `shop_analytics` by default. */
  dataset?: string;
  /** Client settings, e.g. `apiEndpoint` and `authClient` in tests; Application Default Credentials otherwise. */
  clientOptions?: BigQueryOptions;
  /** Create missing tables from the contracts (tests and sandboxes; CDKTF owns them in GCP). */
  createTables?: boolean;
  tables?: readonly TableSpec[];
}

/** BigQuery's streaming insert limit is 50,000 rows per request; 500 is its recommended batch. */
const ROWS_PER_REQUEST = 500;
const HTTP_CONFLICT = 409;

/** The BigQuery table resource of a contract table: schema, daily partitions on its column, clustering. */
export function bigQueryTableResource(table: TableSpec): { schema: { fields: object[] }; timePartitioning: object; clustering: object; description: string } {
  return {
    description: table.description,
    schema: { fields: table.columns.map((c) => ({ name: c.name, type: c.type, mode: c.required ? 'REQUIRED' : 'NULLABLE', description: c.description })) },
    timePartitioning: { type: 'DAY', field: table.partitionColumn },
    clustering: { fields: [...table.clustering] },
  };
}

/** A result value in the port's forms; the client wraps TIMESTAMP and DATE values in objects with a string `value`. */
function fromBigQuery(value: unknown): WarehouseValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') {
    const text = value.value;
    return /^\d{4}-\d{2}-\d{2}$/.test(text) ? text : new Date(Date.parse(text)).toISOString();
  }
  return JSON.stringify(value);
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

class BigQueryWarehouse implements Warehouse {
  private readonly dialect: Dialect;

  constructor(
    private readonly client: BigQuery,
    private readonly projectId: string,
    private readonly dataset: string,
  ) {
    this.dialect = {
      relation: (name) => `\`${projectId}.${dataset}.${name}\``,
      placeholder: (index) => `@p${index}`,
    };
  }

  async insert(table: TableSpec, rows: readonly WarehouseRow[]): Promise<void> {
    const raw = rows.map((row) => ({ insertId: row.insertId, json: checkedValues(table, row) }));
    const target = this.client.dataset(this.dataset).table(identifier(table.name));
    for (let i = 0; i < raw.length; i += ROWS_PER_REQUEST) {
      // raw: the rows carry their own insert ids, so BigQuery drops a retried request's copies.
      await target.insert(raw.slice(i, i + ROWS_PER_REQUEST), { raw: true, skipInvalidRows: false, ignoreUnknownValues: false });
    }
  }

  async read(relation: string, query?: ReadQuery): Promise<ResultRow[]> {
    return this.query(readStatement(this.dialect, relation, query));
  }

  async topCoViewed(productId: string, query?: CoViewedQuery): Promise<CoViewedProduct[]> {
    const rows = await this.query(topCoViewedStatement(this.dialect, productId, query));
    return rows.map((r) => ({ productId: String(r.co_product_id), sessions: Number(r.sessions) }));
  }

  async ping(): Promise<void> {
    await this.client.dataset(this.dataset).getMetadata();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  async createTables(tables: readonly TableSpec[]): Promise<void> {
    const dataset = this.client.dataset(this.dataset);
    for (const table of tables) {
      try {
        await dataset.createTable(identifier(table.name), bigQueryTableResource(table));
      } catch (err) {
        if (errorCode(err) !== HTTP_CONFLICT) throw err;
      }
    }
  }

  private async query(statement: Statement): Promise<ResultRow[]> {
    const params = Object.fromEntries(statement.values.map((v, i) => [`p${i}`, v]));
    const request: Query = { query: statement.sql, params, useLegacySql: false };
    const [rows] = await this.client.query(request);
    return (rows as Record<string, unknown>[]).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, fromBigQuery(v)])));
  }
}

/** The production warehouse: streaming inserts with insert ids into the contract tables, queries over the views. */
export async function createBigQueryWarehouse(options: BigQueryWarehouseOptions): Promise<Warehouse> {
  const dataset = options.dataset ?? WAREHOUSE_DATASET;
  if (!/^[A-Za-z0-9_]{1,1024}$/.test(dataset)) throw new Error(`${JSON.stringify(dataset)} is not a BigQuery dataset id`);
  const client = new BigQuery({ ...options.clientOptions, projectId: options.projectId });
  const warehouse = new BigQueryWarehouse(client, options.projectId, dataset);
  if (options.createTables) await warehouse.createTables(options.tables ?? WAREHOUSE_TABLE_LIST);
  return warehouse;
}
