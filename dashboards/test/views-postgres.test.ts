import { WAREHOUSE_TABLE_LIST } from '@shop/contracts';
import { ANALYST_VIEWS } from '@shop/dashboards';
import { createWarehouse, toPostgres } from './support/postgres';
import { analystViewsSuite } from './support/views-suite';

/**
 * The BigQuery SQL of the views, run on the machine's Postgres with BigQuery's few functions
 * emulated, so what analysts will see is checked without BigQuery.
 */
const PROJECT = 'acme-shop-test';
const DATASET = 'shop_analytics';
const OFFSET_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}$/;

analystViewsSuite('Postgres (BigQuery SQL)', async () => {
  const warehouse = await createWarehouse(DATASET, WAREHOUSE_TABLE_LIST);
  for (const view of ANALYST_VIEWS) {
    await warehouse.client.query(`CREATE VIEW "${DATASET}"."${view.name}" AS ${toPostgres(view.sql(PROJECT, DATASET), PROJECT)}`);
  }
  return {
    insert: (table, rows) => warehouse.insert(table, rows),
    rows: async (relation, orderBy) => {
      const rows = await warehouse.rows(relation, orderBy.join(', '));
      return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'string' && OFFSET_TIMESTAMP.test(v) ? new Date(v).toISOString() : v])));
    },
    close: () => warehouse.drop(),
  };
});

describe('the Postgres translation', () => {
  it('rewrites only references and date parts, and refuses what it cannot run', () => {
    expect(toPostgres('SELECT TIMESTAMP_TRUNC(window_start, HOUR) AS h FROM `p-1234.ds.t`', 'p-1234')).toBe(`SELECT timestamp_trunc(window_start, 'HOUR') AS h FROM "ds"."t"`);
    expect(() => toPostgres('SELECT a FROM `other.ds.t`', 'p-1234')).toThrow(/project other/);
    expect(() => toPostgres('SELECT * FROM `p-1234.ds.t` QUALIFY ROW_NUMBER() OVER () = 1', 'p-1234')).toThrow(/QUALIFY/);
  });
});
