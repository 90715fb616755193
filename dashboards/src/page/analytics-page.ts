import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, money, percent, table } from './html';
import { barChart, lineChart, type Point } from './svg';

type Value = string | number | boolean | null;

/** What the page needs of the warehouse port (the kit's Warehouse has it): rows of a view. */
export interface ViewReader {
  read(
    relation: string,
    query?: {
      where?: readonly { column: string; op: '=' | '<' | '<=' | '>' | '>='; value: string | number | boolean | Date }[];
      orderBy?: readonly { column: string; descending?: boolean }[];
      limit?: number;
    },
  ): Promise<Record<string, Value>[]>;
}

export interface AnalyticsPageOptions {
  warehouse: ViewReader;
  /** Seconds between the browser's reloads, so the numbers move; 5 by default. */
  refreshSeconds?: number;
  now?: () => Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const COLOURS = ['#1a73e8', '#e8710a', '#188038', '#a142f4', '#d93025'];

const num = (v: Value | undefined): number => (typeof v === 'number' ? v : Number(v ?? 0));
const str = (v: Value | undefined): string => (v === null || v === undefined ? '' : String(v));
const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

export interface AnalyticsData {
  now: Date;
  minutes: { start: number; views: number; addToCarts: number; purchases: number }[];
  hourlyRevenue: { currency: string; points: Point[] }[];
  funnel: Record<string, Value>[];
  stockByWarehouse: Point[];
  lowStock: Record<string, Value>[];
  coViewed: Record<string, Value>[];
}

/** The numbers the page shows, read from the analyst views: the last hour, the last day, today and now. */
export async function loadAnalytics(warehouse: ViewReader, now: Date): Promise<AnalyticsData> {
  const minuteFrom = Math.floor(now.getTime() / MINUTE) * MINUTE - 59 * MINUTE;
  const hourFrom = Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR;
  const today = new Date(Math.floor(now.getTime() / DAY) * DAY);
  const [activity, sales, funnel, stock, lowStock, coViewed] = await Promise.all([
    warehouse.read('product_activity_by_minute', { where: [{ column: 'window_start', op: '>=', value: new Date(minuteFrom) }] }),
    warehouse.read('sales_hourly', { where: [{ column: 'sales_hour', op: '>=', value: new Date(hourFrom) }] }),
    warehouse.read('product_funnel_daily', { where: [{ column: 'activity_date', op: '>=', value: today }], orderBy: [{ column: 'views', descending: true }, { column: 'product_id' }], limit: 10 }),
    warehouse.read('current_stock_by_warehouse'),
    warehouse.read('low_stock_now', { orderBy: [{ column: 'available' }, { column: 'sku' }], limit: 20 }),
    warehouse.read('top_co_viewed_pairs', {
      where: [{ column: 'view_date', op: '>=', value: today }, { column: 'co_view_rank', op: '<=', value: 3 }],
      orderBy: [{ column: 'product_id' }, { column: 'co_view_rank' }],
      limit: 30,
    }),
  ]);

  const minutes = Array.from({ length: 60 }, (_, i) => ({ start: minuteFrom + i * MINUTE, views: 0, addToCarts: 0, purchases: 0 }));
  for (const r of activity) {
    const slot = minutes[Math.round((Date.parse(str(r.window_start)) - minuteFrom) / MINUTE)];
    if (!slot) continue;
    slot.views += num(r.views);
    slot.addToCarts += num(r.add_to_carts);
    slot.purchases += num(r.purchases);
  }

  const byCurrency = new Map<string, number[]>();
  for (const r of sales) {
    const series = byCurrency.get(str(r.currency)) ?? Array.from({ length: 24 }, () => 0);
    byCurrency.set(str(r.currency), series);
    const i = Math.round((Date.parse(str(r.sales_hour)) - hourFrom) / HOUR);
    if (i >= 0 && i < 24) series[i] = (series[i] ?? 0) + num(r.revenue_minor);
  }
  const hourlyRevenue = [...byCurrency]
    .sort(([a, x], [b, y]) => y.reduce((n, v) => n + v, 0) - x.reduce((n, v) => n + v, 0) || (a < b ? -1 : 1))
    .map(([currency, values]) => ({ currency, points: values.map((v, i) => ({ label: hhmm(hourFrom + i * HOUR), value: v / 100 })) }));

  const perWarehouse = new Map<string, number>();
  for (const r of stock) perWarehouse.set(str(r.warehouse_id), (perWarehouse.get(str(r.warehouse_id)) ?? 0) + num(r.available));
  const stockByWarehouse = [...perWarehouse].sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, value]) => ({ label, value }));

  return { now, minutes, hourlyRevenue, funnel, stockByWarehouse, lowStock, coViewed };
}

/** The page itself: server-rendered HTML, charts as inline SVG, no scripts. */
export function renderAnalyticsPage(data: AnalyticsData, refreshSeconds: number): string {
  const minuteLabels = (key: 'views' | 'addToCarts' | 'purchases') => data.minutes.map((m) => ({ label: hhmm(m.start), value: m[key] }));
  const lastHour = data.minutes.reduce((n, m) => ({ views: n.views + m.views, addToCarts: n.addToCarts + m.addToCarts, purchases: n.purchases + m.purchases }), { views: 0, addToCarts: 0, purchases: 0 });
  const revenue = data.hourlyRevenue.length
    ? data.hourlyRevenue.map((s, i) => `<h3>${escapeHtml(s.currency)}</h3>${barChart(`Revenue per hour in ${s.currency}`, s.points, COLOURS[i % COLOURS.length] ?? '#1a73e8')}`).join('')
    : '<p class="empty">No paid orders in the last 24 hours.</p>';
  const funnel = table(
    ['product', 'views', 'add to carts', 'purchases', 'view → cart', 'cart → purchase', 'revenue'],
    data.funnel.map((r) => [str(r.product_id), num(r.views), num(r.add_to_carts), num(r.purchases), percent(r.view_to_cart_rate === null ? null : num(r.view_to_cart_rate)), percent(r.cart_to_purchase_rate === null ? null : num(r.cart_to_purchase_rate)), money(r.revenue_minor === null ? null : num(r.revenue_minor), r.currency === null ? null : str(r.currency))]),
    'No shopper activity today yet.',
  );
  const lowStock = table(['SKU', 'warehouse', 'on hand', 'reserved', 'available', 'as of'], data.lowStock.map((r) => [str(r.sku), str(r.warehouse_id), num(r.on_hand), num(r.reserved), num(r.available), str(r.as_of)]), 'Nothing is below its reorder point.');
  const coViewed = table(['product', 'rank', 'also viewed', 'sessions'], data.coViewed.map((r) => [str(r.product_id), num(r.co_view_rank), str(r.co_product_id), num(r.sessions)]), 'No finished shopper sessions today yet.');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${refreshSeconds}">
<title>Shop analytics (local)</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #202124; max-width: 1400px; }
section { display: inline-block; vertical-align: top; width: 660px; margin: 0 16px 24px 0; }
.chart { width: 640px; height: 180px; } .chart text { font-size: 10px; fill: #5f6368; } .axis { stroke: #9aa0a6; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 2px 8px; border-bottom: 1px solid #e8eaed; } td.num { text-align: right; }
.empty { color: #80868b; } .totals span { margin-right: 16px; }
</style>
</head>
<body>
<h1>Shop analytics</h1>
<p>Local warehouse, as of ${escapeHtml(data.now.toISOString())}; reloads every ${refreshSeconds} s. Early panes make the current minute show up within seconds.</p>
<section><h2>Shopper activity, last 60 minutes</h2>
<p class="totals"><span>views ${lastHour.views}</span><span>add to carts ${lastHour.addToCarts}</span><span>purchases ${lastHour.purchases}</span></p>
${lineChart('Views, add-to-carts and purchases per minute', [
  { name: 'views', colour: COLOURS[0] ?? '#1a73e8', points: minuteLabels('views') },
  { name: 'add to carts', colour: COLOURS[1] ?? '#e8710a', points: minuteLabels('addToCarts') },
  { name: 'purchases', colour: COLOURS[2] ?? '#188038', points: minuteLabels('purchases') },
])}</section>
<section><h2>Revenue per hour, last 24 hours</h2>${revenue}</section>
<section><h2>Product funnel today</h2>${funnel}</section>
<section><h2>Units available by warehouse</h2>${data.stockByWarehouse.length ? barChart('Units available by warehouse', data.stockByWarehouse, COLOURS[2] ?? '#188038') : '<p class="empty">No stock movements yet.</p>'}
<h3>Low stock now</h3>${lowStock}</section>
<section><h2>Shoppers also viewed (today)</h2>${coViewed}</section>
</body>
</html>
`;
}

/**
 * The local analytics page as a request handler, `(req, res)`, to mount on any Express app or
 * http server; it reads the analyst views on every request.
 */
export function createAnalyticsPage(options: AnalyticsPageOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const refresh = options.refreshSeconds ?? 5;
  const now = options.now ?? (() => new Date());
  return async (_req, res) => {
    try {
      const html = renderAnalyticsPage(await loadAnalytics(options.warehouse, now()), refresh);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(html);
    } catch (err) {
      res.writeHead(503, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'retry-after': String(refresh) });
      res.end(`<!doctype html><title>Shop analytics</title><p>The warehouse did not answer: ${escapeHtml(err instanceof Error ? err.message : String(err))}</p>`);
    }
  };
}
