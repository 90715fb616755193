import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { WAREHOUSE_TABLE_LIST, type TableSpec } from '@shop/contracts';

/**
 * BigQuery's REST API as far as the warehouse adapter uses it (datasets.get, tables.insert,
 * tabledata.insertAll, jobs.query), for the official client to talk to. Every request is checked
 * against the contract tables: table resources (schema, partitioning, clustering), and each
 * streamed row (insert id, required columns, value types, unknown columns). What it accepts it
 * stores in DuckDB, dropping rows whose insert id it has seen (BigQuery's deduplication), and
 * queries run there after the BigQuery-only syntax is rewritten.
 */
export interface FakeBigQuery {
  endpoint: string;
  /** Every way a request broke the contract or the API; empty when the client behaved. */
  violations: string[];
  /** insertAll requests, per table. */
  inserts: Map<string, number>;
  /** Tables created through tables.insert. */
  tables: string[];
  /** SQL and parameters of every query. */
  queries: { sql: string; parameters: QueryParameter[] }[];
  close(): Promise<void>;
}

interface SchemaField {
  name: string;
  type: string;
  mode?: string;
}

interface QueryParameter {
  name: string;
  parameterType: { type: string };
  parameterValue: { value: string | number | boolean };
}

const CONTRACT = new Map(WAREHOUSE_TABLE_LIST.map((t) => [t.name, t]));

const DUCK_TYPES: Record<string, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  INTEGER: 'BIGINT',
  FLOAT64: 'DOUBLE',
  FLOAT: 'DOUBLE',
  BOOL: 'BOOLEAN',
  BOOLEAN: 'BOOLEAN',
  TIMESTAMP: 'TIMESTAMP',
  DATE: 'DATE',
  JSON: 'JSON',
};

/** Why a streamed value is not one BigQuery takes for the type, or null. */
function misfit(type: string, value: unknown): string | null {
  switch (type) {
    case 'STRING':
      return typeof value === 'string' ? null : 'is not a string';
    case 'INT64':
    case 'INTEGER':
      return (typeof value === 'number' && Number.isInteger(value)) || (typeof value === 'string' && /^-?\d+$/.test(value)) ? null : 'is not an integer';
    case 'FLOAT64':
    case 'FLOAT':
      return typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Number(value))) ? null : 'is not a number';
    case 'BOOL':
    case 'BOOLEAN':
      return typeof value === 'boolean' ? null : 'is not a boolean';
    case 'TIMESTAMP':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? null : 'is not a timestamp with a zone';
    case 'DATE':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? null : 'is not a date';
    case 'JSON':
      if (typeof value !== 'string') return 'is not JSON text';
      try {
        JSON.parse(value);
        return null;
      } catch {
        return 'is not JSON text';
      }
    default:
      return `has unknown type ${type}`;
  }
}

function sameFields(actual: SchemaField[] | undefined, table: TableSpec): boolean {
  const expected = table.columns.map((c) => `${c.name}:${c.type}:${c.required ? 'REQUIRED' : 'NULLABLE'}`);
  return JSON.stringify((actual ?? []).map((f) => `${f.name}:${f.type}:${f.mode ?? 'NULLABLE'}`)) === JSON.stringify(expected);
}

/** A DuckDB result value in the REST API's row form (useInt64Timestamp: microseconds). */
function cell(value: unknown, typeId: DuckDBTypeId): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return typeId === DuckDBTypeId.DATE ? value.toISOString().slice(0, 10) : String(BigInt(value.getTime()) * 1000n);
  return String(value);
}

function bigQueryType(typeId: DuckDBTypeId): string {
  switch (typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.INTEGER:
      return 'INTEGER';
    case DuckDBTypeId.DOUBLE:
      return 'FLOAT';
    case DuckDBTypeId.BOOLEAN:
      return 'BOOLEAN';
    case DuckDBTypeId.TIMESTAMP:
      return 'TIMESTAMP';
    case DuckDBTypeId.DATE:
      return 'DATE';
    default:
      return 'STRING';
  }
}

export async function startFakeBigQuery(projectId: string, dataset: string): Promise<FakeBigQuery> {
  const duck = await DuckDBInstance.create(':memory:');
  const db: DuckDBConnection = await duck.connect();
  await db.run(`CREATE SCHEMA "${dataset}"`);
  const tables = new Map<string, SchemaField[]>();
  const seenIds = new Map<string, Set<string>>();
  const violations: string[] = [];
  const inserts = new Map<string, number>();
  const queries: FakeBigQuery['queries'] = [];
  const base = `/bigquery/v2/projects/${projectId}/datasets/${dataset}`;

  const createTable = async (body: { tableReference?: { tableId?: string }; schema?: { fields?: SchemaField[] }; timePartitioning?: { type?: string; field?: string }; clustering?: { fields?: string[] } }): Promise<[number, object]> => {
    const name = body.tableReference?.tableId ?? '';
    const contract = CONTRACT.get(name);
    if (!contract) violations.push(`tables.insert of ${name}, which is not a contract table`);
    else {
      if (!sameFields(body.schema?.fields, contract)) violations.push(`tables.insert of ${name}: schema differs from the contract`);
      if (body.timePartitioning?.type !== 'DAY' || body.timePartitioning.field !== contract.partitionColumn) violations.push(`tables.insert of ${name}: not partitioned by day on ${contract.partitionColumn}`);
      if (JSON.stringify(body.clustering?.fields) !== JSON.stringify(contract.clustering)) violations.push(`tables.insert of ${name}: clustering differs from the contract`);
    }
    if (tables.has(name)) return [409, { error: { code: 409, message: `Already Exists: Table ${projectId}:${dataset}.${name}`, status: 'ALREADY_EXISTS' } }];
    const fields = body.schema?.fields ?? [];
    const columns = fields.map((f) => `"${f.name}" ${DUCK_TYPES[f.type] ?? 'VARCHAR'}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`);
    await db.run(`CREATE TABLE "${dataset}"."${name}" (${columns.join(', ')})`);
    tables.set(name, fields);
    seenIds.set(name, new Set());
    return [200, { ...body, id: `${projectId}:${dataset}.${name}` }];
  };

  const insertAll = async (name: string, body: { rows?: { insertId?: unknown; json?: Record<string, unknown> }[]; skipInvalidRows?: boolean }): Promise<[number, object]> => {
    const fields = tables.get(name);
    if (!fields) return [404, { error: { code: 404, message: `Not found: Table ${projectId}:${dataset}.${name}`, status: 'NOT_FOUND' } }];
    inserts.set(name, (inserts.get(name) ?? 0) + 1);
    const rows = body.rows ?? [];
    const ids = new Set<string>();
    const insertErrors: { index: number; errors: { reason: string; message: string }[] }[] = [];
    rows.forEach((row, index) => {
      const problems: string[] = [];
      if (typeof row.insertId !== 'string' || row.insertId === '') problems.push('has no insertId');
      else if (ids.has(row.insertId)) problems.push(`repeats insertId ${row.insertId} within the request`);
      else ids.add(row.insertId);
      const json = row.json ?? {};
      for (const key of Object.keys(json)) if (!fields.some((f) => f.name === key)) problems.push(`has unknown column ${key}`);
      for (const field of fields) {
        const value = json[field.name];
        if (value === undefined || value === null) {
          if (field.mode === 'REQUIRED') problems.push(`lacks required ${field.name}`);
          continue;
        }
        const problem = misfit(field.type, value);
        if (problem) problems.push(`${field.name} ${problem}`);
      }
      if (problems.length) {
        violations.push(...problems.map((p) => `insertAll ${name} row ${index} ${p}`));
        insertErrors.push({ index, errors: problems.map((message) => ({ reason: 'invalid', message })) });
      }
    });
    // Without skipInvalidRows one bad row fails the whole request, as BigQuery does.
    if (insertErrors.length && !body.skipInvalidRows) {
      const failed = new Set(insertErrors.map((e) => e.index));
      rows.forEach((_, index) => {
        if (!failed.has(index)) insertErrors.push({ index, errors: [{ reason: 'stopped', message: '' }] });
      });
      return [200, { kind: 'bigquery#tableDataInsertAllResponse', insertErrors }];
    }
    const seen = seenIds.get(name) ?? new Set<string>();
    for (const row of rows) {
      const id = String(row.insertId);
      if (seen.has(id)) continue;
      seen.add(id);
      const values = fields.map((f): DuckDBValue => {
        const v = row.json?.[f.name];
        if (v === undefined || v === null) return null;
        // DuckDB's TIMESTAMP ignores offsets; BigQuery stores the instant.
        return f.type === 'TIMESTAMP' ? new Date(String(v)).toISOString() : (v as DuckDBValue);
      });
      await db.run(`INSERT INTO "${dataset}"."${name}" VALUES (${fields.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    }
    return [200, { kind: 'bigquery#tableDataInsertAllResponse', ...(insertErrors.length ? { insertErrors } : {}) }];
  };

  const query = async (body: { query?: string; useLegacySql?: boolean; queryParameters?: QueryParameter[]; formatOptions?: { useInt64Timestamp?: boolean } }): Promise<[number, object]> => {
    const sql = body.query ?? '';
    const parameters = body.queryParameters ?? [];
    queries.push({ sql, parameters });
    if (body.useLegacySql !== false) violations.push('query without useLegacySql: false');
    if (!body.formatOptions?.useInt64Timestamp) violations.push('query without formatOptions.useInt64Timestamp');
    for (const m of sql.matchAll(/`([^`]*)`/g)) {
      const [p, d, t] = (m[1] ?? '').split('.');
      if (p !== projectId || d !== dataset || !t || !tables.has(t)) violations.push(`query reads ${m[1]}, which is not a table of ${projectId}.${dataset}`);
    }
    const byName = new Map(parameters.map((p) => [p.name, p]));
    const duckSql = sql
      .replace(/`[^`.]+\.([^`.]+)\.([^`.]+)`/g, '"$1"."$2"')
      .replace(/@(\w+)/g, (_, name: string) => {
        const p = byName.get(name);
        if (!p) violations.push(`query names @${name} without a parameter`);
        return `CAST($${name} AS ${DUCK_TYPES[p?.parameterType.type ?? 'STRING'] ?? 'VARCHAR'})`;
      });
    const values: Record<string, DuckDBValue> = Object.fromEntries(parameters.map((p) => [p.name, String(p.parameterValue.value)]));
    try {
      const reader = await db.runAndReadAll(duckSql, values);
      const names = reader.columnNames();
      const types = reader.columnTypes().map((t) => t.typeId);
      const rows = reader.getRowsJS().map((r) => ({ f: r.map((v, i) => ({ v: cell(v, types[i] ?? DuckDBTypeId.VARCHAR) })) }));
      return [
        200,
        {
          kind: 'bigquery#queryResponse',
          jobComplete: true,
          jobReference: { projectId, jobId: `job-${queries.length}`, location: 'EU' },
          schema: { fields: names.map((name, i) => ({ name, type: bigQueryType(types[i] ?? DuckDBTypeId.VARCHAR), mode: 'NULLABLE' })) },
          rows,
          totalRows: String(rows.length),
        },
      ];
    } catch (err) {
      return [400, { error: { code: 400, message: (err as Error).message, status: 'INVALID_ARGUMENT' } }];
    }
  };

  const route = async (method: string, url: string, body: unknown): Promise<[number, object]> => {
    const path = url.split('?')[0] ?? '';
    if (method === 'GET' && path === base) return [200, { kind: 'bigquery#dataset', datasetReference: { projectId, datasetId: dataset } }];
    if (method === 'POST' && path === `${base}/tables`) return createTable(body as Parameters<typeof createTable>[0]);
    const insert = new RegExp(`^${base}/tables/([^/]+)/insertAll$`).exec(path);
    if (method === 'POST' && insert?.[1]) return insertAll(insert[1], body as Parameters<typeof insertAll>[1]);
    if (method === 'POST' && path === `/bigquery/v2/projects/${projectId}/queries`) return query(body as Parameters<typeof query>[0]);
    violations.push(`unexpected request ${method} ${path}`);
    return [404, { error: { code: 404, message: `no route ${method} ${path}` } }];
  };

  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      void (async () => {
        let status = 500;
        let payload: object = {};
        try {
          [status, payload] = await route(req.method ?? 'GET', req.url ?? '/', text ? JSON.parse(text) : {});
        } catch (err) {
          violations.push(`request failed: ${(err as Error).message}`);
          payload = { error: { code: 500, message: (err as Error).message } };
        }
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    violations,
    inserts,
    queries,
    get tables() {
      return [...tables.keys()];
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.closeSync();
      duck.closeSync();
    },
  };
}
