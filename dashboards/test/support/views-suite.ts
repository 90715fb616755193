import { WAREHOUSE_TABLES, type TableSpec } from '@shop/contracts';
import { ANALYST_VIEWS, TOP_CO_VIEWED } from '@shop/dashboards';
import { outputColumns } from './sql';

/** A SQL engine holding the contract tables and the analyst views, with rows read back in plain JSON forms. */
export interface ViewEngine {
  insert(table: TableSpec, rows: readonly Record<string, unknown>[]): Promise<void>;
  /** Rows of a relation, timestamps as UTC ISO 8601 with milliseconds. */
  rows(relation: string, orderBy: readonly string[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const { productActivityMinute, inventoryMinute, salesMinute, coViews } = WAREHOUSE_TABLES;

const iso = (at: string, seconds = 0): string => new Date(Date.parse(at) + seconds * 1000).toISOString();

/** A pane of a one-minute window; `emittedAfter` is seconds after the window start. */
function minutePane(start: string, emittedAfter: number, values: Record<string, unknown>, final = true): Record<string, unknown> {
  return { window_start: iso(start), window_end: iso(start, 60), pane_timing: final ? 'ON_TIME' : 'EARLY', is_final: final, emitted_at: iso(start, emittedAfter), ...values };
}

const activity = (product: string, shard: number, views: number, addToCarts: number, purchases: number, units: number, revenue: number | null, currency: string | null, shoppers: number) => ({
  product_id: product,
  shard,
  views,
  add_to_carts: addToCarts,
  purchases,
  units,
  revenue_minor: revenue,
  currency,
  unique_shoppers: shoppers,
});

const stock = (sku: string, warehouse: string, onHand: number, reserved: number, lowStock: boolean) => ({
  sku,
  warehouse_id: warehouse,
  on_hand: onHand,
  reserved,
  available: onHand - reserved,
  units_received: 0,
  units_shipped: 0,
  units_adjusted: 0,
  low_stock: lowStock,
});

const sale = (currency: string, category: string, shard: number, orders: number, units: number, revenue: number) => ({ currency, category_id: category, shard, orders, units, revenue_minor: revenue });

function dayPane(day: string, product: string, coProduct: string, sessions: number, emittedAfter = 86_400 + 60, shard = 0): Record<string, unknown> {
  const start = `${day}T00:00:00Z`;
  return {
    window_start: iso(start),
    window_end: iso(start, 86_400),
    product_id: product,
    co_product_id: coProduct,
    shard,
    sessions,
    pane_timing: emittedAfter > 86_400 ? 'ON_TIME' : 'EARLY',
    is_final: emittedAfter > 86_400,
    emitted_at: iso(start, emittedAfter),
  };
}

/**
 * Rows shaped like the streaming job's: superseded panes, late panes stored before the panes they
 * supersede, partial rows of two shards, several currencies, day and hour boundaries.
 */
export async function loadFixture(engine: ViewEngine): Promise<void> {
  await engine.insert(productActivityMinute, [
    // P1 at 10:00: shard 0's early pane is superseded by its on-time one; shard 1 adds its shoppers.
    minutePane('2025-03-10T10:00:00Z', 20, activity('P1', 0, 3, 1, 0, 0, 0, null, 3), false),
    minutePane('2025-03-10T10:00:00Z', 65, activity('P1', 0, 5, 2, 1, 2, 4000, 'EUR', 4)),
    minutePane('2025-03-10T10:00:00Z', 65, activity('P1', 1, 2, 0, 1, 1, 600, 'EUR', 1)),
    // The last minute of the day belongs to it, the next minute to the next day (UTC).
    minutePane('2025-03-10T23:59:00Z', 65, activity('P1', 0, 5, 2, 1, 1, 1500, 'EUR', 5)),
    // A late pane stored before the on-time pane it supersedes.
    { ...minutePane('2025-03-11T00:00:00Z', 180, activity('P1', 0, 8, 1, 0, 0, 0, null, 6), false), pane_timing: 'LATE' },
    minutePane('2025-03-11T00:00:00Z', 65, activity('P1', 0, 7, 0, 0, 0, 0, null, 6), false),
    // P2 sold in two currencies that day.
    minutePane('2025-03-10T10:00:00Z', 65, activity('P2', 0, 4, 2, 2, 2, 1000, 'EUR', 2)),
    minutePane('2025-03-10T10:01:00Z', 65, activity('P2', 0, 0, 0, 1, 1, 900, 'USD', 1)),
    // P3 was never viewed: no rates rather than a division by zero.
    minutePane('2025-03-10T10:00:00Z', 65, activity('P3', 0, 0, 0, 0, 0, 0, null, 0)),
    // P4 sold in EUR on one shard and USD on the other in the same minute.
    minutePane('2025-03-10T10:02:00Z', 65, activity('P4', 0, 1, 1, 1, 1, 1000, 'EUR', 1)),
    minutePane('2025-03-10T10:02:00Z', 65, activity('P4', 1, 1, 1, 1, 1, 500, 'USD', 1)),
    // P5's minute on one shard already mixed currencies: the job leaves revenue and currency null.
    minutePane('2025-03-10T10:03:00Z', 65, activity('P5', 0, 0, 0, 2, 2, null, null, 2)),
  ]);

  await engine.insert(inventoryMinute, [
    minutePane('2025-03-10T09:00:00Z', 65, stock('A', 'W1', 10, 2, false)),
    minutePane('2025-03-10T09:05:00Z', 30, stock('A', 'W1', 3, 0, true), false),
    { ...minutePane('2025-03-10T09:05:00Z', 240, stock('A', 'W1', 6, 1, false)), pane_timing: 'LATE' },
    minutePane('2025-03-10T08:00:00Z', 65, stock('A', 'W2', 1, 0, true)),
    // B was low at 07:00 but restocked at 10:00.
    minutePane('2025-03-10T07:00:00Z', 65, stock('B', 'W1', 0, 0, true)),
    minutePane('2025-03-10T10:00:00Z', 65, stock('B', 'W1', 20, 0, false)),
  ]);

  await engine.insert(salesMinute, [
    minutePane('2025-03-10T10:00:00Z', 20, sale('EUR', 'shirts', 0, 1, 1, 1000), false),
    minutePane('2025-03-10T10:00:00Z', 65, sale('EUR', 'shirts', 0, 2, 3, 3000)),
    minutePane('2025-03-10T10:00:00Z', 65, sale('EUR', 'shirts', 1, 1, 1, 100)),
    minutePane('2025-03-10T10:59:00Z', 65, sale('EUR', 'shirts', 0, 1, 1, 500)),
    minutePane('2025-03-10T11:00:00Z', 30, sale('EUR', 'shirts', 0, 1, 2, 800), false),
    minutePane('2025-03-10T10:30:00Z', 65, sale('USD', 'shirts', 0, 1, 1, 700)),
    minutePane('2025-03-10T10:30:00Z', 65, sale('EUR', 'shoes', 0, 1, 1, 200)),
  ]);

  const coProducts = Array.from({ length: 25 }, (_, i) => `Q${String(i + 1).padStart(2, '0')}`);
  await engine.insert(coViews, [
    ...coProducts.map((q, i) => dayPane('2025-03-10', 'P1', q, i + 1)),
    // Q00 ties Q06 on sessions and wins the tie by id; an early pane of Q01 is superseded.
    dayPane('2025-03-10', 'P1', 'Q00', 6),
    dayPane('2025-03-10', 'P1', 'Q01', 100, 3600),
    // P2 and P1 were viewed together in sessions of both shards.
    dayPane('2025-03-10', 'P2', 'P1', 3),
    dayPane('2025-03-10', 'P2', 'P1', 2, 86_400 + 90, 1),
    // A late view split P3's only session: the pair was counted, then taken back.
    dayPane('2025-03-10', 'P3', 'Q09', 1, 3600),
    dayPane('2025-03-10', 'P3', 'Q09', 0, 86_400 + 600),
    dayPane('2025-03-11', 'P1', 'Q01', 2),
  ]);
}

/** The analyst views' behaviour over the fixture, the same on every engine. */
export function analystViewsSuite(name: string, open: () => Promise<ViewEngine>): void {
  describe(`analyst views on ${name}`, () => {
    let engine: ViewEngine;

    beforeAll(async () => {
      engine = await open();
      await loadFixture(engine);
    });

    afterAll(async () => {
      await engine?.close();
    });

    it('return the columns their SQL names, every view holding rows of the fixture', async () => {
      for (const view of ANALYST_VIEWS) {
        const [first] = await engine.rows(view.name, []);
        expect({ view: view.name, columns: Object.keys(first ?? {}) }).toEqual({ view: view.name, columns: outputColumns(view.sql('acme-shop-test', 'shop_analytics')) });
      }
    });

    it('latest-pane views keep only the newest pane of each key and shard', async () => {
      const rows = await engine.rows('product_activity_minute_latest', ['product_id', 'window_start', 'shard']);
      expect(rows.map((r) => [r.product_id, r.window_start, r.shard, r.views, r.pane_timing])).toEqual([
        ['P1', '2025-03-10T10:00:00.000Z', 0, 5, 'ON_TIME'],
        ['P1', '2025-03-10T10:00:00.000Z', 1, 2, 'ON_TIME'],
        ['P1', '2025-03-10T23:59:00.000Z', 0, 5, 'ON_TIME'],
        ['P1', '2025-03-11T00:00:00.000Z', 0, 8, 'LATE'],
        ['P2', '2025-03-10T10:00:00.000Z', 0, 4, 'ON_TIME'],
        ['P2', '2025-03-10T10:01:00.000Z', 0, 0, 'ON_TIME'],
        ['P3', '2025-03-10T10:00:00.000Z', 0, 0, 'ON_TIME'],
        ['P4', '2025-03-10T10:02:00.000Z', 0, 1, 'ON_TIME'],
        ['P4', '2025-03-10T10:02:00.000Z', 1, 1, 'ON_TIME'],
        ['P5', '2025-03-10T10:03:00.000Z', 0, 0, 'ON_TIME'],
      ]);
      expect(await engine.rows('sales_minute_latest', ['window_start', 'currency', 'category_id', 'shard'])).toHaveLength(6);
      expect(await engine.rows('co_views_latest', ['product_id', 'co_product_id', 'shard'])).toHaveLength(30);
    });

    it('product_activity_by_minute sums the shards, with rates of the sums and revenue only within one currency', async () => {
      const rows = await engine.rows('product_activity_by_minute', ['product_id', 'window_start']);
      const minute = (start: string) => ({ window_start: iso(start), window_end: iso(start, 60) });
      expect(rows).toEqual([
        { ...minute('2025-03-10T10:00:00Z'), product_id: 'P1', views: 7, add_to_carts: 2, purchases: 2, units: 3, revenue_minor: 4600, currency: 'EUR', unique_shoppers: 5, view_to_cart_rate: 2 / 7, cart_to_purchase_rate: 1, is_final: true },
        { ...minute('2025-03-10T23:59:00Z'), product_id: 'P1', views: 5, add_to_carts: 2, purchases: 1, units: 1, revenue_minor: 1500, currency: 'EUR', unique_shoppers: 5, view_to_cart_rate: 0.4, cart_to_purchase_rate: 0.5, is_final: true },
        { ...minute('2025-03-11T00:00:00Z'), product_id: 'P1', views: 8, add_to_carts: 1, purchases: 0, units: 0, revenue_minor: 0, currency: null, unique_shoppers: 6, view_to_cart_rate: 0.125, cart_to_purchase_rate: 0, is_final: false },
        { ...minute('2025-03-10T10:00:00Z'), product_id: 'P2', views: 4, add_to_carts: 2, purchases: 2, units: 2, revenue_minor: 1000, currency: 'EUR', unique_shoppers: 2, view_to_cart_rate: 0.5, cart_to_purchase_rate: 1, is_final: true },
        { ...minute('2025-03-10T10:01:00Z'), product_id: 'P2', views: 0, add_to_carts: 0, purchases: 1, units: 1, revenue_minor: 900, currency: 'USD', unique_shoppers: 1, view_to_cart_rate: null, cart_to_purchase_rate: null, is_final: true },
        { ...minute('2025-03-10T10:00:00Z'), product_id: 'P3', views: 0, add_to_carts: 0, purchases: 0, units: 0, revenue_minor: 0, currency: null, unique_shoppers: 0, view_to_cart_rate: null, cart_to_purchase_rate: null, is_final: true },
        { ...minute('2025-03-10T10:02:00Z'), product_id: 'P4', views: 2, add_to_carts: 2, purchases: 2, units: 2, revenue_minor: null, currency: null, unique_shoppers: 2, view_to_cart_rate: 1, cart_to_purchase_rate: 1, is_final: true },
        { ...minute('2025-03-10T10:03:00Z'), product_id: 'P5', views: 0, add_to_carts: 0, purchases: 2, units: 2, revenue_minor: null, currency: null, unique_shoppers: 2, view_to_cart_rate: null, cart_to_purchase_rate: null, is_final: true },
      ]);
    });

    it('current_stock_by_warehouse shows the latest minute of each SKU at each warehouse', async () => {
      expect(await engine.rows('current_stock_by_warehouse', ['sku', 'warehouse_id'])).toEqual([
        { sku: 'A', warehouse_id: 'W1', on_hand: 6, reserved: 1, available: 5, low_stock: false, as_of: '2025-03-10T09:06:00.000Z' },
        { sku: 'A', warehouse_id: 'W2', on_hand: 1, reserved: 0, available: 1, low_stock: true, as_of: '2025-03-10T08:01:00.000Z' },
        { sku: 'B', warehouse_id: 'W1', on_hand: 20, reserved: 0, available: 20, low_stock: false, as_of: '2025-03-10T10:01:00.000Z' },
      ]);
    });

    it('low_stock_now lists only what is low now', async () => {
      expect(await engine.rows('low_stock_now', ['sku', 'warehouse_id'])).toEqual([{ sku: 'A', warehouse_id: 'W2', on_hand: 1, reserved: 0, available: 1, as_of: '2025-03-10T08:01:00.000Z' }]);
    });

    it('product_funnel_daily adds up the shards\' current panes per UTC day, with rates of the sums', async () => {
      expect(await engine.rows('product_funnel_daily', ['product_id', 'activity_date'])).toEqual([
        { activity_date: '2025-03-10', product_id: 'P1', views: 12, add_to_carts: 4, purchases: 3, units: 4, revenue_minor: 6100, currency: 'EUR', view_to_cart_rate: 4 / 12, cart_to_purchase_rate: 0.75, peak_minute_shoppers: 5, is_final: true },
        { activity_date: '2025-03-11', product_id: 'P1', views: 8, add_to_carts: 1, purchases: 0, units: 0, revenue_minor: 0, currency: null, view_to_cart_rate: 0.125, cart_to_purchase_rate: 0, peak_minute_shoppers: 6, is_final: false },
        { activity_date: '2025-03-10', product_id: 'P2', views: 4, add_to_carts: 2, purchases: 3, units: 3, revenue_minor: null, currency: null, view_to_cart_rate: 0.5, cart_to_purchase_rate: 1.5, peak_minute_shoppers: 2, is_final: true },
        { activity_date: '2025-03-10', product_id: 'P3', views: 0, add_to_carts: 0, purchases: 0, units: 0, revenue_minor: 0, currency: null, view_to_cart_rate: null, cart_to_purchase_rate: null, peak_minute_shoppers: 0, is_final: true },
        { activity_date: '2025-03-10', product_id: 'P4', views: 2, add_to_carts: 2, purchases: 2, units: 2, revenue_minor: null, currency: null, view_to_cart_rate: 1, cart_to_purchase_rate: 1, peak_minute_shoppers: 2, is_final: true },
        { activity_date: '2025-03-10', product_id: 'P5', views: 0, add_to_carts: 0, purchases: 2, units: 2, revenue_minor: null, currency: null, view_to_cart_rate: null, cart_to_purchase_rate: null, peak_minute_shoppers: 2, is_final: true },
      ]);
    });

    it('sales_hourly sums the shards\' current panes per hour, currency and category', async () => {
      expect(await engine.rows('sales_hourly', ['sales_hour', 'currency', 'category_id'])).toEqual([
        { sales_hour: '2025-03-10T10:00:00.000Z', currency: 'EUR', category_id: 'shirts', orders: 4, units: 5, revenue_minor: 3600, is_final: true },
        { sales_hour: '2025-03-10T10:00:00.000Z', currency: 'EUR', category_id: 'shoes', orders: 1, units: 1, revenue_minor: 200, is_final: true },
        { sales_hour: '2025-03-10T10:00:00.000Z', currency: 'USD', category_id: 'shirts', orders: 1, units: 1, revenue_minor: 700, is_final: true },
        { sales_hour: '2025-03-10T11:00:00.000Z', currency: 'EUR', category_id: 'shirts', orders: 1, units: 2, revenue_minor: 800, is_final: false },
      ]);
    });

    it(`top_co_viewed_pairs keeps the ${TOP_CO_VIEWED} most co-viewed products per product and day, shards summed`, async () => {
      const rows = await engine.rows('top_co_viewed_pairs', ['view_date', 'product_id', 'co_view_rank']);
      const p1Day1 = rows.filter((r) => r.product_id === 'P1' && r.view_date === '2025-03-10');
      expect(p1Day1.map((r) => r.co_product_id)).toEqual([...Array.from({ length: 19 }, (_, i) => `Q${String(25 - i).padStart(2, '0')}`), 'Q00']);
      expect(p1Day1.map((r) => r.co_view_rank)).toEqual(Array.from({ length: TOP_CO_VIEWED }, (_, i) => i + 1));
      expect(p1Day1[0]).toEqual({ view_date: '2025-03-10', product_id: 'P1', co_product_id: 'Q25', sessions: 25, co_view_rank: 1 });
      // P3's pair went back to zero sessions, so P3 has no co-viewed products.
      expect(rows.filter((r) => r.product_id !== 'P1' || r.view_date !== '2025-03-10')).toEqual([
        { view_date: '2025-03-10', product_id: 'P2', co_product_id: 'P1', sessions: 5, co_view_rank: 1 },
        { view_date: '2025-03-11', product_id: 'P1', co_product_id: 'Q01', sessions: 2, co_view_rank: 1 },
      ]);
    });
  });
}
