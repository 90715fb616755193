import { TOPICS, WAREHOUSE_TABLES } from '@shop/contracts';
import { sortedUnion, withSorted, type CombineFn } from './combine';
import type { JobEvent } from './message';
import { windowColumns, type FixedWindowTable } from './table';
import { MINUTE_MS } from './time';

/** What one activity event adds to its product's minute. */
export interface ProductActivityInput {
  productId: string;
  shopperId: string;
  views: number;
  addToCarts: number;
  purchases: number;
  units: number;
  revenueMinor: number;
  /** Currency of the revenue; null when the event bought nothing. */
  currency: string | null;
}

export interface ProductActivityAccumulator {
  views: number;
  addToCarts: number;
  purchases: number;
  units: number;
  /** [currency, minor units] sorted by currency: minor units only add up within a currency. */
  revenue: [string, number][];
  /** Sorted distinct shopper ids: exact, and mergeable by a sorted union. */
  shoppers: readonly string[];
}

export interface ProductActivityOutput {
  views: number;
  addToCarts: number;
  purchases: number;
  units: number;
  revenueMinor: number | null;
  currency: string | null;
  uniqueShoppers: number;
}

function addRevenue(revenue: readonly [string, number][], currency: string, minor: number): [string, number][] {
  const out = revenue.map(([c, m]): [string, number] => [c, c === currency ? m + minor : m]);
  if (!out.some(([c]) => c === currency)) out.push([currency, minor]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export const productActivityFn: CombineFn<ProductActivityInput, ProductActivityAccumulator, ProductActivityOutput> = {
  createAccumulator: () => ({ views: 0, addToCarts: 0, purchases: 0, units: 0, revenue: [], shoppers: [] }),
  addInput: (acc, input) => ({
    views: acc.views + input.views,
    addToCarts: acc.addToCarts + input.addToCarts,
    purchases: acc.purchases + input.purchases,
    units: acc.units + input.units,
    revenue: input.currency === null ? acc.revenue : addRevenue(acc.revenue, input.currency, input.revenueMinor),
    shoppers: withSorted(acc.shoppers, input.shopperId),
  }),
  mergeAccumulators: (accumulators) => {
    const all = [...accumulators];
    let revenue: [string, number][] = [];
    for (const acc of all) for (const [currency, minor] of acc.revenue) revenue = addRevenue(revenue, currency, minor);
    return {
      views: all.reduce((n, a) => n + a.views, 0),
      addToCarts: all.reduce((n, a) => n + a.addToCarts, 0),
      purchases: all.reduce((n, a) => n + a.purchases, 0),
      units: all.reduce((n, a) => n + a.units, 0),
      revenue,
      shoppers: sortedUnion(all.map((a) => a.shoppers)),
    };
  },
  extractOutput: (acc) => {
    const [only, ...more] = acc.revenue;
    return {
      views: acc.views,
      addToCarts: acc.addToCarts,
      purchases: acc.purchases,
      units: acc.units,
      // One currency: its revenue; none: nothing bought; several: no single amount to report.
      revenueMinor: more.length > 0 ? null : (only?.[1] ?? 0),
      currency: more.length > 0 ? null : (only?.[0] ?? null),
      uniqueShoppers: acc.shoppers.length,
    };
  },
};

function inputsOf(event: JobEvent): ProductActivityInput[] {
  if (event.topic !== TOPICS.activity || event.productId === null) return [];
  const base = { productId: event.productId, shopperId: event.shopperId, views: 0, addToCarts: 0, purchases: 0, units: 0, revenueMinor: 0, currency: null };
  switch (event.kind) {
    case 'product_viewed':
      return [{ ...base, views: 1 }];
    case 'cart_item_added':
      return [{ ...base, addToCarts: 1 }];
    case 'purchase_completed':
      return [{ ...base, purchases: 1, units: event.quantity, revenueMinor: event.quantity * event.priceMinor, currency: event.currency }];
    case 'cart_item_removed':
      // Counts the shopper as active on the product, and nothing else.
      return [base];
    default:
      return [];
  }
}

export const productActivity: FixedWindowTable<ProductActivityInput, ProductActivityAccumulator, ProductActivityOutput> = {
  table: WAREHOUSE_TABLES.productActivityMinute,
  transform: WAREHOUSE_TABLES.productActivityMinute.name,
  topic: TOPICS.activity,
  windowMs: MINUTE_MS,
  inputsOf,
  keyOf: (input) => input.productId,
  combineFn: productActivityFn,
  toRow: (key, window, out, pane, shard) => ({
    ...windowColumns(window, pane),
    product_id: key,
    shard,
    views: out.views,
    add_to_carts: out.addToCarts,
    purchases: out.purchases,
    units: out.units,
    revenue_minor: out.revenueMinor,
    currency: out.currency,
    unique_shoppers: out.uniqueShoppers,
  }),
};
