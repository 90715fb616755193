import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WAREHOUSE_TABLES } from '@shop/contracts';
import { createDuckDbWarehouse } from '@shop/kit';
import { warehouseContract } from './contract';

const folder = mkdtempSync(path.join(tmpdir(), 'warehouse-duckdb-'));
let files = 0;

afterAll(() => rmSync(folder, { recursive: true, force: true }));

warehouseContract('DuckDB file', () => createDuckDbWarehouse({ file: path.join(folder, `contract-${files++}`, 'warehouse.duckdb') }));

describe('DuckDB warehouse', () => {
  it('keeps rows in its file across a reopen and creates the views it is given', async () => {
    const file = path.join(folder, 'reopen.duckdb');
    const first = await createDuckDbWarehouse({ file });
    const row = {
      insertId: 'one',
      values: {
        window_start: '2025-03-10T10:00:00.000Z', window_end: '2025-03-10T10:01:00.000Z', currency: 'EUR', category_id: 'c', shard: 1,
        orders: 2, units: 3, revenue_minor: 450, pane_timing: 'ON_TIME', is_final: true, emitted_at: '2025-03-10T10:01:05.000Z',
      },
    };
    await first.insert(WAREHOUSE_TABLES.salesMinute, [row]);
    await first.close();

    const views = [{ name: 'eur_sales', sql: `SELECT currency, SUM(revenue_minor) AS revenue_minor FROM "shop_analytics"."sales_minute" WHERE currency = 'EUR' GROUP BY currency` }];
    const second = await createDuckDbWarehouse({ file, views });
    try {
      await second.insert(WAREHOUSE_TABLES.salesMinute, [row]);
      expect(await second.read('eur_sales')).toEqual([{ currency: 'EUR', revenue_minor: 450 }]);
    } finally {
      await second.close();
    }
  });
});
