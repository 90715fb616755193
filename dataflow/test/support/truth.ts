import type { ActivitySpec, InventorySpec, OrderSpec } from './events';

/**
 * The aggregates a stream must produce, computed straight from the generated events with none of
 * the job's code: plain loops over the event list, keyed by the columns the views return.
 */
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const SESSION_GAP = 30 * MINUTE;
const MAX_SESSION_PRODUCTS = 50;

const minuteOf = (iso: string): string => new Date(Math.floor(Date.parse(iso) / MINUTE) * MINUTE).toISOString();

export interface ActivityTruth {
  views: number;
  add_to_carts: number;
  purchases: number;
  units: number;
  revenue_minor: number | null;
  currency: string | null;
  unique_shoppers: number;
}

export interface StockTruth {
  on_hand: number;
  reserved: number;
  available: number;
  units_received: number;
  units_shipped: number;
  units_adjusted: number;
  low_stock: boolean;
}

export interface SalesTruth {
  orders: number;
  units: number;
  revenue_minor: number;
}

export interface Truth {
  /** By `${window_start}|${product_id}`. */
  activity: Map<string, ActivityTruth>;
  /** By `${window_start}|${sku}|${warehouse_id}`. */
  stock: Map<string, StockTruth>;
  /** By `${window_start}|${currency}|${category_id}`. */
  sales: Map<string, SalesTruth>;
  /** By `${day}|${product_id}|${co_product_id}`: sessions. */
  coViews: Map<string, number>;
}

function activityTruth(events: readonly ActivitySpec[]): Map<string, ActivityTruth> {
  const groups = new Map<string, { counts: ActivityTruth; shoppers: Set<string>; revenue: Map<string, number> }>();
  for (const e of events) {
    if (!['product_viewed', 'cart_item_added', 'cart_item_removed', 'purchase_completed'].includes(e.kind)) continue;
    const key = `${minuteOf(e.time)}|${e.productId}`;
    const g = groups.get(key) ?? { counts: { views: 0, add_to_carts: 0, purchases: 0, units: 0, revenue_minor: 0, currency: null, unique_shoppers: 0 }, shoppers: new Set<string>(), revenue: new Map<string, number>() };
    groups.set(key, g);
    g.shoppers.add(e.shopperId);
    if (e.kind === 'product_viewed') g.counts.views++;
    if (e.kind === 'cart_item_added') g.counts.add_to_carts++;
    if (e.kind === 'purchase_completed') {
      g.counts.purchases++;
      g.counts.units += e.quantity ?? 1;
      const currency = e.currency ?? 'EUR';
      g.revenue.set(currency, (g.revenue.get(currency) ?? 0) + (e.quantity ?? 1) * (e.priceMinor ?? 1000));
    }
  }
  const out = new Map<string, ActivityTruth>();
  for (const [key, g] of groups) {
    const currencies = [...g.revenue.keys()];
    const single = currencies.length === 1 ? currencies[0]! : null;
    out.set(key, {
      ...g.counts,
      revenue_minor: currencies.length === 0 ? 0 : single === null ? null : (g.revenue.get(single) ?? 0),
      currency: single,
      unique_shoppers: g.shoppers.size,
    });
  }
  return out;
}

function stockTruth(events: readonly InventorySpec[]): Map<string, StockTruth> {
  const groups = new Map<string, InventorySpec[]>();
  for (const e of events) {
    const key = `${minuteOf(e.time)}|${e.sku}|${e.warehouseId}`;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  const out = new Map<string, StockTruth>();
  for (const [key, list] of groups) {
    const last = [...list].sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).at(-1)!;
    const sum = (types: string[], f: (e: InventorySpec) => number) => list.filter((e) => types.includes(e.type)).reduce((n, e) => n + f(e), 0);
    out.set(key, {
      on_hand: last.onHand,
      reserved: last.reserved,
      available: last.onHand - last.reserved,
      units_received: sum(['inventory.stock_received', 'inventory.transfer_received'], (e) => e.deltaOnHand),
      units_shipped: sum(['inventory.stock_fulfilled', 'inventory.transfer_shipped'], (e) => -e.deltaOnHand),
      units_adjusted: sum(['inventory.stock_adjusted', 'inventory.stock_counted'], (e) => e.deltaOnHand),
      low_stock: last.reorderPoint !== null && last.onHand - last.reserved <= last.reorderPoint,
    });
  }
  return out;
}

function salesTruth(events: readonly OrderSpec[]): Map<string, SalesTruth> {
  const out = new Map<string, SalesTruth>();
  for (const e of events) {
    if (e.type !== 'order.paid') continue;
    const categories = new Set(e.lines.map((l) => l.categoryId ?? 'uncategorized'));
    for (const category of categories) {
      const key = `${minuteOf(e.time)}|${e.currency}|${category}`;
      const lines = e.lines.filter((l) => (l.categoryId ?? 'uncategorized') === category);
      const t = out.get(key) ?? { orders: 0, units: 0, revenue_minor: 0 };
      t.orders += 1;
      t.units += lines.reduce((n, l) => n + l.quantity, 0);
      t.revenue_minor += lines.reduce((n, l) => n + l.quantity * l.unitPriceMinor, 0);
      out.set(key, t);
    }
  }
  return out;
}

function coViewTruth(events: readonly ActivitySpec[]): Map<string, number> {
  const bySession = new Map<string, ActivitySpec[]>();
  for (const e of events) {
    if (e.kind !== 'product_viewed') continue;
    const key = `${e.shopperId}|${e.sessionId}`;
    bySession.set(key, [...(bySession.get(key) ?? []), e]);
  }
  const out = new Map<string, number>();
  for (const views of bySession.values()) {
    views.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    // A new session starts when a view comes a full gap or more after the previous one.
    const sessions: ActivitySpec[][] = [];
    for (const v of views) {
      const current = sessions.at(-1);
      const previous = current?.at(-1);
      if (current && previous && Date.parse(v.time) < Date.parse(previous.time) + SESSION_GAP) current.push(v);
      else sessions.push([v]);
    }
    for (const session of sessions) {
      const products = [...new Set(session.map((v) => v.productId))];
      if (products.length > MAX_SESSION_PRODUCTS) continue;
      const day = new Date(Math.floor(Date.parse(session[0]!.time) / DAY) * DAY).toISOString().slice(0, 10);
      for (const a of products) for (const b of products) if (a !== b) out.set(`${day}|${a}|${b}`, (out.get(`${day}|${a}|${b}`) ?? 0) + 1);
    }
  }
  return out;
}

export function computeTruth(input: { activity: readonly ActivitySpec[]; inventory: readonly InventorySpec[]; orders: readonly OrderSpec[] }): Truth {
  return { activity: activityTruth(input.activity), stock: stockTruth(input.inventory), sales: salesTruth(input.orders), coViews: coViewTruth(input.activity) };
}
