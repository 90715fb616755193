import { WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST } from '@shop/contracts';
import { ANALYST_VIEWS, TOP_CO_VIEWED } from '@shop/dashboards';
import { createWarehouse, toPostgres, type Warehouse } from './support/postgres';
import { outputColumns } from './support/sql';

/**
 * The views run on Postgres over rows shaped like the streaming job's: superseded panes, late
 * panes inserted before earlier ones, several currencies, day and hour boundaries.
 */
const PROJECT = 'acme-shop-test';
const DATASET = 'shop_analytics';
const { productActivityMinute, inventoryMinute, salesMinute, coViews } = WAREHOUSE_TABLES;

const at = (iso: string): Date => new Date(iso);
const plus = (iso: string, seconds: number): Date => new Date(at(iso).getTime() + seconds * 1000);

/** A pane of a one-minute window; `emittedAfter` is seconds after the window start. */
function minutePane(start: string, emittedAfter: number, values: Record<string, unknown>, final = true): Record<string, unknown> {
  return {
    window_start: at(start),
    window_end: plus(start, 60),
    pane_timing: final ? 'ON_TIME' : 'EARLY',
    is_final: final,
    emitted_at: plus(start, emittedAfter),
    ...values,
  };
}

const activity = (product: string, views: number, addToCarts: number, purchases: number, units: number, revenue: number, currency: string | null, shoppers: number) => ({
  product_id: product,
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

const sale = (currency: string, category: string, orders: number, units: number, revenue: number) => ({
  currency,
  category_id: category,
  orders,
  units,
  revenue_minor: revenue,
});

function dayPane(day: string, product: string, coProduct: string, sessions: number, emittedAfter = 86_400 + 60): Record<string, unknown> {
  const start = `${day}T00:00:00Z`;
  return {
    window_start: at(start),
    window_end: plus(start, 86_400),
    product_id: product,
    co_product_id: coProduct,
    sessions,
    pane_timing: 'ON_TIME',
    is_final: true,
    emitted_at: plus(start, emittedAfter),
  };
}

describe('analyst views on a SQL engine', () => {
  let warehouse: Warehouse;

  beforeAll(async () => {
    warehouse = await createWarehouse(DATASET, WAREHOUSE_TABLE_LIST);
    for (const view of ANALYST_VIEWS) {
      await warehouse.client.query(`CREATE VIEW "${DATASET}"."${view.name}" AS ${toPostgres(view.sql(PROJECT, DATASET), PROJECT)}`);
    }

    await warehouse.insert(productActivityMinute, [
      // P1 at 10:00: the early pane is superseded by the on-time one.
      minutePane('2025-03-10T10:00:00Z', 20, activity('P1', 3, 1, 0, 0, 0, null, 3), false),
      minutePane('2025-03-10T10:00:00Z', 65, activity('P1', 5, 2, 1, 2, 4000, 'EUR', 4)),
      // The last minute of the day belongs to it, the next minute to the next day (UTC).
      minutePane('2025-03-10T23:59:00Z', 65, activity('P1', 5, 2, 1, 1, 1500, 'EUR', 5)),
      // A late pane stored before the on-time pane it supersedes.
      { ...minutePane('2025-03-11T00:00:00Z', 180, activity('P1', 8, 1, 0, 0, 0, null, 6), false), pane_timing: 'LATE' },
      minutePane('2025-03-11T00:00:00Z', 65, activity('P1', 7, 0, 0, 0, 0, null, 6), false),
      // P2 sold in two currencies that day.
      minutePane('2025-03-10T10:00:00Z', 65, activity('P2', 4, 2, 2, 2, 1000, 'EUR', 2)),
      minutePane('2025-03-10T10:01:00Z', 65, activity('P2', 0, 0, 1, 1, 900, 'USD', 1)),
      // P3 was never viewed: no rates rather than a division by zero.
      minutePane('2025-03-10T10:00:00Z', 65, activity('P3', 0, 0, 0, 0, 0, null, 0)),
    ]);

    await warehouse.insert(inventoryMinute, [
      minutePane('2025-03-10T09:00:00Z', 65, stock('A', 'W1', 10, 2, false)),
      minutePane('2025-03-10T09:05:00Z', 30, stock('A', 'W1', 3, 0, true), false),
      { ...minutePane('2025-03-10T09:05:00Z', 240, stock('A', 'W1', 6, 1, false)), pane_timing: 'LATE' },
      minutePane('2025-03-10T08:00:00Z', 65, stock('A', 'W2', 1, 0, true)),
      // B was low at 07:00 but restocked at 10:00.
      minutePane('2025-03-10T07:00:00Z', 65, stock('B', 'W1', 0, 0, true)),
      minutePane('2025-03-10T10:00:00Z', 65, stock('B', 'W1', 20, 0, false)),
    ]);

    await warehouse.insert(salesMinute, [
      minutePane('2025-03-10T10:00:00Z', 20, sale('EUR', 'shirts', 1, 1, 1000), false),
      minutePane('2025-03-10T10:00:00Z', 65, sale('EUR', 'shirts', 2, 3, 3000)),
      minutePane('2025-03-10T10:59:00Z', 65, sale('EUR', 'shirts', 1, 1, 500)),
      minutePane('2025-03-10T11:00:00Z', 30, sale('EUR', 'shirts', 1, 2, 800), false),
      minutePane('2025-03-10T10:30:00Z', 65, sale('USD', 'shirts', 1, 1, 700)),
      minutePane('2025-03-10T10:30:00Z', 65, sale('EUR', 'shoes', 1, 1, 200)),
    ]);

    const coProducts = Array.from({ length: 25 }, (_, i) => `Q${String(i + 1).padStart(2, '0')}`);
    await warehouse.insert(coViews, [
      ...coProducts.map((q, i) => dayPane('2025-03-10', 'P1', q, i + 1)),
      // Q00 ties Q06 on sessions and wins the tie by id; an early pane of Q01 is superseded.
      dayPane('2025-03-10', 'P1', 'Q00', 6),
      dayPane('2025-03-10', 'P1', 'Q01', 100, 3600),
      dayPane('2025-03-10', 'P2', 'P1', 3),
      dayPane('2025-03-11', 'P1', 'Q01', 2),
    ]);
  });

  afterAll(async () => {
    await warehouse?.drop();
  });

  it('create in ANALYST_VIEWS order and return the columns their SQL names', async () => {
    for (const view of ANALYST_VIEWS) {
      const result = await warehouse.client.query<{ column_name: string }>(
        'SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
        [DATASET, view.name],
      );
      expect({ view: view.name, columns: result.rows.map((r) => r.column_name) }).toEqual({ view: view.name, columns: outputColumns(view.sql(PROJECT, DATASET)) });
    }
  });

  it('latest-pane views keep only the newest pane of each key', async () => {
    const rows = await warehouse.rows('product_activity_minute_latest', 'product_id, window_start');
    expect(rows.map((r) => [r.product_id, r.window_start, r.views, r.pane_timing])).toEqual([
      ['P1', '2025-03-10T10:00:00+00:00', 5, 'ON_TIME'],
      ['P1', '2025-03-10T23:59:00+00:00', 5, 'ON_TIME'],
      ['P1', '2025-03-11T00:00:00+00:00', 8, 'LATE'],
      ['P2', '2025-03-10T10:00:00+00:00', 4, 'ON_TIME'],
      ['P2', '2025-03-10T10:01:00+00:00', 0, 'ON_TIME'],
      ['P3', '2025-03-10T10:00:00+00:00', 0, 'ON_TIME'],
    ]);
    expect(await warehouse.rows('sales_minute_latest', 'window_start, currency, category_id')).toHaveLength(5);
    expect(await warehouse.rows('co_views_latest', 'product_id, co_product_id')).toHaveLength(28);
  });

  it('current_stock_by_warehouse shows the latest minute of each SKU at each warehouse', async () => {
    expect(await warehouse.rows('current_stock_by_warehouse', 'sku, warehouse_id')).toEqual([
      { sku: 'A', warehouse_id: 'W1', on_hand: 6, reserved: 1, available: 5, low_stock: false, as_of: '2025-03-10T09:06:00+00:00' },
      { sku: 'A', warehouse_id: 'W2', on_hand: 1, reserved: 0, available: 1, low_stock: true, as_of: '2025-03-10T08:01:00+00:00' },
      { sku: 'B', warehouse_id: 'W1', on_hand: 20, reserved: 0, available: 20, low_stock: false, as_of: '2025-03-10T10:01:00+00:00' },
    ]);
  });

  it('low_stock_now lists only what is low now', async () => {
    expect(await warehouse.rows('low_stock_now', 'sku, warehouse_id')).toEqual([
      { sku: 'A', warehouse_id: 'W2', on_hand: 1, reserved: 0, available: 1, as_of: '2025-03-10T08:01:00+00:00' },
    ]);
  });

  it('product_funnel_daily adds up current panes per UTC day, with rates of the sums', async () => {
    expect(await warehouse.rows('product_funnel_daily', 'product_id, activity_date')).toEqual([
      {
        activity_date: '2025-03-10', product_id: 'P1', views: 10, add_to_carts: 4, purchases: 2, units: 3, revenue_minor: 5500, currency: 'EUR',
        view_to_cart_rate: 0.4, cart_to_purchase_rate: 0.5, peak_minute_shoppers: 5, is_final: true,
      },
      {
        activity_date: '2025-03-11', product_id: 'P1', views: 8, add_to_carts: 1, purchases: 0, units: 0, revenue_minor: 0, currency: null,
        view_to_cart_rate: 0.125, cart_to_purchase_rate: 0, peak_minute_shoppers: 6, is_final: false,
      },
      {
        activity_date: '2025-03-10', product_id: 'P2', views: 4, add_to_carts: 2, purchases: 3, units: 3, revenue_minor: null, currency: null,
        view_to_cart_rate: 0.5, cart_to_purchase_rate: 1.5, peak_minute_shoppers: 2, is_final: true,
      },
      {
        activity_date: '2025-03-10', product_id: 'P3', views: 0, add_to_carts: 0, purchases: 0, units: 0, revenue_minor: 0, currency: null,
        view_to_cart_rate: null, cart_to_purchase_rate: null, peak_minute_shoppers: 0, is_final: true,
      },
    ]);
  });

  it('sales_hourly sums current panes per hour, currency and category', async () => {
    expect(await warehouse.rows('sales_hourly', 'sales_hour, currency, category_id')).toEqual([
      { sales_hour: '2025-03-10T10:00:00+00:00', currency: 'EUR', category_id: 'shirts', orders: 3, units: 4, revenue_minor: 3500, is_final: true },
      { sales_hour: '2025-03-10T10:00:00+00:00', currency: 'EUR', category_id: 'shoes', orders: 1, units: 1, revenue_minor: 200, is_final: true },
      { sales_hour: '2025-03-10T10:00:00+00:00', currency: 'USD', category_id: 'shirts', orders: 1, units: 1, revenue_minor: 700, is_final: true },
      { sales_hour: '2025-03-10T11:00:00+00:00', currency: 'EUR', category_id: 'shirts', orders: 1, units: 2, revenue_minor: 800, is_final: false },
    ]);
  });

  it(`top_co_viewed_pairs keeps the ${TOP_CO_VIEWED} most co-viewed products per product and day, ranked`, async () => {
    const rows = await warehouse.rows('top_co_viewed_pairs', 'view_date, product_id, co_view_rank');
    const p1Day1 = rows.filter((r) => r.product_id === 'P1' && r.view_date === '2025-03-10');
    expect(p1Day1.map((r) => r.co_product_id)).toEqual([
      ...Array.from({ length: 19 }, (_, i) => `Q${String(25 - i).padStart(2, '0')}`),
      'Q00',
    ]);
    expect(p1Day1.map((r) => r.co_view_rank)).toEqual(Array.from({ length: TOP_CO_VIEWED }, (_, i) => i + 1));
    expect(p1Day1[0]).toEqual({ view_date: '2025-03-10', product_id: 'P1', co_product_id: 'Q25', sessions: 25, co_view_rank: 1 });
    expect(rows.filter((r) => r.product_id !== 'P1' || r.view_date !== '2025-03-10')).toEqual([
      { view_date: '2025-03-10', product_id: 'P2', co_product_id: 'P1', sessions: 3, co_view_rank: 1 },
      { view_date: '2025-03-11', product_id: 'P1', co_product_id: 'Q01', sessions: 2, co_view_rank: 1 },
    ]);
  });
});

describe('the Postgres translation', () => {
  it('rewrites only references and date parts, and refuses what it cannot run', () => {
    expect(toPostgres('SELECT TIMESTAMP_TRUNC(window_start, HOUR) AS h FROM `p-1234.ds.t`', 'p-1234')).toBe(
      `SELECT timestamp_trunc(window_start, 'HOUR') AS h FROM "ds"."t"`,
    );
    expect(() => toPostgres('SELECT a FROM `other.ds.t`', 'p-1234')).toThrow(/project other/);
    expect(() => toPostgres('SELECT * FROM `p-1234.ds.t` QUALIFY ROW_NUMBER() OVER () = 1', 'p-1234')).toThrow(/QUALIFY/);
  });
});
