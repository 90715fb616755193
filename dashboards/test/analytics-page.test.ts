import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { WAREHOUSE_TABLES, type TableSpec } from '@shop/contracts';
import { createAnalyticsPage, duckDbViews, type ViewReader } from '@shop/dashboards';
import { createDuckDbWarehouse, type Warehouse, type WarehouseValue } from '@shop/kit';

const NOW = new Date('2025-03-10T10:30:20Z');
const iso = (ms: number): string => new Date(ms).toISOString();
const minute = (offset: number) => Math.floor(NOW.getTime() / 60_000) * 60_000 + offset * 60_000;
const pane = (start: number, size: number) => ({ window_start: iso(start), window_end: iso(start + size), pane_timing: 'EARLY', is_final: false, emitted_at: iso(NOW.getTime() - 1000) });

async function serve(handler: ReturnType<typeof createAnalyticsPage>): Promise<{ get(): Promise<{ status: number; body: string }>; close(): Promise<void> }> {
  const server = http.createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    get: async () => {
      const res = await fetch(`http://127.0.0.1:${port}/analytics`);
      return { status: res.status, body: await res.text() };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe('the local analytics page', () => {
  let warehouse: Warehouse;

  beforeEach(async () => {
    warehouse = await createDuckDbWarehouse({ file: ':memory:', views: duckDbViews() });
  });
  afterEach(async () => {
    await warehouse.close();
  });

  const insert = (table: TableSpec, rows: Record<string, WarehouseValue>[]) => warehouse.insert(table, rows.map((values) => ({ insertId: randomUUID(), values })));

  it('shows the views\' numbers of the last hour, day and now, with inline SVG charts and escaped text', async () => {
    const activity = { add_to_carts: 2, purchases: 1, units: 1, revenue_minor: 1999, currency: 'EUR', unique_shoppers: 3 };
    await insert(WAREHOUSE_TABLES.productActivityMinute, [
      { ...pane(minute(0), 60_000), product_id: 'P-<script>', shard: 0, views: 7, ...activity },
      { ...pane(minute(0), 60_000), product_id: 'P-<script>', shard: 1, views: 4, ...activity },
      { ...pane(minute(-5), 60_000), product_id: 'P-2', shard: 0, views: 3, ...activity },
      // Older than the hour the chart shows, but today: in the funnel, not in the chart.
      { ...pane(minute(-90), 60_000), product_id: 'P-2', shard: 0, views: 100, ...activity },
    ]);
    await insert(WAREHOUSE_TABLES.salesMinute, [{ ...pane(minute(-1), 60_000), currency: 'EUR', category_id: 'c', shard: 0, orders: 2, units: 3, revenue_minor: 123_456 }]);
    await insert(WAREHOUSE_TABLES.inventoryMinute, [
      { ...pane(minute(-2), 60_000), sku: 'SKU-LOW', warehouse_id: 'berlin-1', on_hand: 2, reserved: 1, available: 1, units_received: 0, units_shipped: 1, units_adjusted: 0, low_stock: true },
      { ...pane(minute(-2), 60_000), sku: 'SKU-OK', warehouse_id: 'paris-1', on_hand: 40, reserved: 0, available: 40, units_received: 40, units_shipped: 0, units_adjusted: 0, low_stock: false },
    ]);
    const day = Math.floor(NOW.getTime() / 86_400_000) * 86_400_000;
    await insert(WAREHOUSE_TABLES.coViews, [{ ...pane(day, 86_400_000), product_id: 'P-2', co_product_id: 'P-9', shard: 0, sessions: 4 }]);

    const page = await serve(createAnalyticsPage({ warehouse, now: () => NOW }));
    try {
      const { status, body } = await page.get();
      expect(status).toBe(200);
      expect(body).toContain('<meta http-equiv="refresh" content="5">');
      // Views of the last hour, both shards of P-<script> and P-2's recent minute: 7 + 4 + 3.
      expect(body).toContain('<span>views 14</span>');
      expect(body).toContain('<span>purchases 3</span>');
      expect(body.match(/<svg class="chart"/g)).toHaveLength(3);
      expect(body).toContain('1234.56');
      expect(body).toContain('P-&lt;script&gt;');
      expect(body).not.toContain('<script>');
      // The funnel lists today's products by views: P-2 (103) before P-<script> (11).
      expect(body.indexOf('<td>P-2</td><td class="num">103</td>')).toBeGreaterThan(-1);
      expect(body.indexOf('<td>P-2</td>')).toBeLessThan(body.indexOf('<td>P-&lt;script&gt;</td>'));
      expect(body).toContain('<td>SKU-LOW</td><td>berlin-1</td>');
      expect(body).not.toContain('<td>SKU-OK</td>');
      expect(body).toContain('<td>P-2</td><td class="num">1</td><td>P-9</td><td class="num">4</td>');
    } finally {
      await page.close();
    }
  });

  it('says what is missing on an empty warehouse, and answers 503 when the warehouse does not', async () => {
    const page = await serve(createAnalyticsPage({ warehouse, now: () => NOW }));
    const failing: ViewReader = { read: () => Promise.reject(new Error('warehouse <down>')) };
    const broken = await serve(createAnalyticsPage({ warehouse: failing }));
    try {
      const empty = await page.get();
      expect(empty.status).toBe(200);
      expect(empty.body).toContain('No paid orders in the last 24 hours.');
      expect(empty.body).toContain('Nothing is below its reorder point.');
      const down = await broken.get();
      expect(down.status).toBe(503);
      expect(down.body).toContain('warehouse &lt;down&gt;');
    } finally {
      await page.close();
      await broken.close();
    }
  });
});
