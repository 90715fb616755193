import { randomUUID } from 'node:crypto';
import { WAREHOUSE_DATASET } from '@shop/contracts';
import { duckDbViews, toDuckDbSql } from '@shop/dashboards';
import { createDuckDbWarehouse, type WarehouseValue } from '@shop/kit';
import { analystViewsSuite } from './support/views-suite';

/** The same views translated for the local warehouse, through the kit's DuckDB adapter. */
analystViewsSuite('DuckDB (the local warehouse)', async () => {
  const warehouse = await createDuckDbWarehouse({ file: ':memory:', views: duckDbViews() });
  return {
    insert: (table, rows) => warehouse.insert(table, rows.map((values) => ({ insertId: randomUUID(), values: values as Record<string, WarehouseValue> }))),
    rows: (relation, orderBy) => warehouse.read(relation, { orderBy: orderBy.map((column) => ({ column })) }),
    close: () => warehouse.close(),
  };
});

describe('the DuckDB translation', () => {
  it('rewrites references and BigQuery functions, nested calls included', () => {
    expect(toDuckDbSql('SELECT SAFE_DIVIDE(SUM(a), SAFE_DIVIDE(b, c)) AS r, DATE(ts) AS d, TIMESTAMP_TRUNC(ts, HOUR) AS h, LOGICAL_AND(f) AS f FROM `p-1234.ds.t`', WAREHOUSE_DATASET)).toBe(
      'SELECT (CAST(SUM(a) AS DOUBLE) / NULLIF((CAST(b AS DOUBLE) / NULLIF(c, 0)), 0)) AS r, CAST(ts AS DATE) AS d, date_trunc(\'hour\', ts) AS h, bool_and(f) AS f FROM "shop_analytics"."t"',
    );
    expect(() => toDuckDbSql('SELECT * FROM `p.d.t` QUALIFY x = 1', 's')).toThrow(/QUALIFY/);
    expect(() => toDuckDbSql('SELECT TIMESTAMP_TRUNC(ts, WEEK) AS w FROM `p.d.t`', 's')).toThrow(/WEEK/);
  });
});
