import type http from 'node:http';
import type { ResultRow, Warehouse, WarehouseValue } from '@shop/kit';

/** How often the page reloads itself, so the numbers move while someone watches. */
const REFRESH_SECONDS = 5;
const MINUTES_SHOWN = 30;

export interface AnalyticsPageOptions {
  warehouse: Warehouse;
  /** Product names by id, for labels (the warehouse only knows ids). */
  productNames: () => Promise<ReadonlyMap<string, string>>;
  now?: () => Date;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (value: WarehouseValue | undefined): number => (typeof value === 'number' ? value : Number(value ?? 0) || 0);
const str = (value: WarehouseValue | undefined): string => (value === null || value === undefined ? '' : String(value));
const money = (minor: number, currency: string): string => `${(minor / 100).toFixed(2)} ${currency}`;
const percent = (rate: WarehouseValue | undefined): string => (rate === null || rate === undefined ? '–' : `${(num(rate) * 100).toFixed(0)}%`);

interface Series {
  label: string;
  colour: string;
  points: number[];
}

/** A line chart of per-minute series, drawn as inline SVG. */
function lineChart(title: string, labels: string[], series: Series[]): string {
  const width = 720;
  const height = 200;
  const pad = 30;
  const top = Math.max(1, ...series.flatMap((s) => s.points));
  const x = (i: number) => pad + (labels.length <= 1 ? 0 : (i * (width - 2 * pad)) / (labels.length - 1));
  const y = (v: number) => height - pad - (v * (height - 2 * pad)) / top;
  const lines = series
    .map((s) => `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${s.points.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"/>`)
    .join('');
  const legend = series.map((s) => `<span style="color:${s.colour}">■</span> ${escapeHtml(s.label)}`).join(' &nbsp; ');
  const axis = `<text x="${pad}" y="${height - 8}" font-size="11">${escapeHtml(labels[0] ?? '')}</text><text x="${width - pad}" y="${height - 8}" font-size="11" text-anchor="end">${escapeHtml(labels.at(-1) ?? '')}</text><text x="4" y="${pad}" font-size="11">${top}</text>`;
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#999"/>${lines}${axis}</svg><p>${legend}</p></figure>`;
}

/** A horizontal bar chart, drawn as inline SVG. */
function barChart(title: string, bars: Array<{ label: string; value: number; note?: string }>): string {
  if (bars.length === 0) return `<figure><figcaption>${escapeHtml(title)}</figcaption><p>Nothing yet.</p></figure>`;
  const rowHeight = 22;
  const width = 720;
  const labelWidth = 220;
  const top = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars
    .map((b, i) => {
      const w = ((width - labelWidth - 120) * b.value) / top;
      const yPos = i * rowHeight;
      return `<text x="0" y="${yPos + 15}" font-size="12">${escapeHtml(b.label)}</text><rect x="${labelWidth}" y="${yPos + 4}" width="${w.toFixed(1)}" height="14" fill="#2a6fb3"/><text x="${labelWidth + w + 6}" y="${yPos + 15}" font-size="12">${escapeHtml(b.note ?? String(b.value))}</text>`;
    })
    .join('');
  return `<figure><figcaption>${escapeHtml(title)}</figcaption><svg role="img" aria-label="${escapeHtml(title)}" width="${width}" height="${bars.length * rowHeight}" viewBox="0 0 ${width} ${bars.length * rowHeight}">${rows}</svg></figure>`;
}

function table(caption: string, headers: string[], rows: string[][]): string {
  const body = rows.length ? rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('') : `<tr><td colspan="${headers.length}">Nothing yet.</td></tr>`;
  return `<table><caption>${escapeHtml(caption)}</caption><thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

const minuteLabel = (iso: string): string => iso.slice(11, 16);

/**
 * The local warehouse's numbers, from the same analyst views Looker Studio reads in production
 * (over DuckDB here): the shopper funnel per minute, top products, sales per hour, stock by
 * warehouse, low stock and co-viewed pairs. Server-rendered with inline SVG; it reloads itself.
 */
export async function renderAnalyticsPage(options: AnalyticsPageOptions): Promise<string> {
  const { warehouse } = options;
  const now = options.now?.() ?? new Date();
  const since = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (MINUTES_SHOWN - 1) * 60_000);
  const today = now.toISOString().slice(0, 10);
  const [activity, funnel, sales, stock, low, pairs, names] = await Promise.all([
    warehouse.read('product_activity_by_minute', { where: [{ column: 'window_start', op: '>=', value: since }], orderBy: [{ column: 'window_start' }] }),
    warehouse.read('product_funnel_daily', { orderBy: [{ column: 'activity_date', descending: true }, { column: 'views', descending: true }], limit: 10 }),
    warehouse.read('sales_hourly', { orderBy: [{ column: 'sales_hour', descending: true }], limit: 24 }),
    warehouse.read('current_stock_by_warehouse', { orderBy: [{ column: 'sku' }, { column: 'warehouse_id' }], limit: 200 }),
    warehouse.read('low_stock_now', { orderBy: [{ column: 'sku' }] }),
    warehouse.read('top_co_viewed_pairs', { where: [{ column: 'co_view_rank', op: '<=', value: 3 }], orderBy: [{ column: 'view_date', descending: true }, { column: 'sessions', descending: true }], limit: 15 }),
    options.productNames(),
  ]);
  const nameOf = (id: WarehouseValue | undefined) => names.get(str(id)) ?? str(id).slice(0, 8);

  const minutes = Array.from({ length: MINUTES_SHOWN }, (_, i) => new Date(since.getTime() + i * 60_000).toISOString());
  const perMinute = (column: string) => minutes.map((m) => activity.filter((r) => new Date(str(r.window_start)).toISOString() === m).reduce((sum, r) => sum + num(r[column]), 0));
  const funnelChart = lineChart(`Shopper funnel per minute, last ${MINUTES_SHOWN} minutes (all products)`, minutes.map(minuteLabel), [
    { label: 'views', colour: '#2a6fb3', points: perMinute('views') },
    { label: 'add to carts', colour: '#d98a00', points: perMinute('add_to_carts') },
    { label: 'purchases', colour: '#2d8a3e', points: perMinute('purchases') },
  ]);
  // Distinct shoppers add up across shards but not across products or minutes, so they are shown per product.
  const topProducts = barChart(
    'Most viewed products (latest day)',
    funnel.map((r: ResultRow) => ({
      label: nameOf(r.product_id),
      value: num(r.views),
      note: `${num(r.views)} views, ${percent(r.view_to_cart_rate)} to cart, ${percent(r.cart_to_purchase_rate)} to purchase, up to ${num(r.peak_minute_shoppers)} shoppers a minute`,
    })),
  );
  const salesChart = barChart(
    'Sales per hour',
    sales.map((r) => ({ label: `${str(r.sales_hour).slice(0, 13).replace('T', ' ')}h ${str(r.currency)}`, value: num(r.revenue_minor), note: `${money(num(r.revenue_minor), str(r.currency))}, ${num(r.units)} units` })),
  );
  const stockTable = table(
    'Current stock by warehouse',
    ['SKU', 'warehouse', 'on hand', 'reserved', 'available', 'low stock', 'as of'],
    stock.map((r) => [str(r.sku), str(r.warehouse_id), String(num(r.on_hand)), String(num(r.reserved)), String(num(r.available)), r.low_stock ? 'yes' : '', str(r.as_of).slice(11, 16)]),
  );
  const lowTable = table('Low stock now', ['SKU', 'warehouse', 'available'], low.map((r) => [str(r.sku), str(r.warehouse_id), String(num(r.available))]));
  const pairsTable = table(
    'Shoppers also viewed (top pairs)',
    ['day', 'product', 'also viewed', 'sessions'],
    pairs.map((r) => [str(r.view_date), nameOf(r.product_id), nameOf(r.co_product_id), String(num(r.sessions))]),
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="${REFRESH_SECONDS}">
<title>Shop analytics (local)</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}figure{margin:1.5rem 0}figcaption,caption{font-weight:600;text-align:left;margin-bottom:.4rem}table{border-collapse:collapse;margin:1.5rem 0}th,td{padding:.2rem .8rem;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body><main>
<h1>Shop analytics, local warehouse</h1>
<p>The streaming job's aggregates in the DuckDB warehouse, through the analysts' views; as of ${escapeHtml(now.toISOString().slice(0, 19))}Z (today ${today}), reloading every ${REFRESH_SECONDS} s.</p>
${funnelChart}
${topProducts}
${salesChart}
${pairsTable}
${lowTable}
${stockTable}
</main></body></html>
`;
}

/** The page as a request handler for the hub (GET /analytics). */
export function analyticsPage(options: AnalyticsPageOptions): http.RequestListener {
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed');
      return;
    }
    renderAnalyticsPage(options).then(
      (html) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html),
      (err: unknown) => res.writeHead(503, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(`the warehouse could not be read: ${err instanceof Error ? err.message : String(err)}`),
    );
  };
}
