import { TOPICS, UNCATEGORIZED, WAREHOUSE_TABLES } from '@shop/contracts';
import type { CombineFn } from './combine';
import type { JobEvent } from './message';
import { compositeKey, keyPair, windowColumns, type FixedWindowTable } from './table';
import { MINUTE_MS } from './time';

/** One paid order's lines of one category. */
export interface SalesInput {
  currency: string;
  categoryId: string;
  orders: number;
  units: number;
  revenueMinor: number;
}

export interface SalesTotals {
  orders: number;
  units: number;
  revenueMinor: number;
}

export const salesFn: CombineFn<SalesInput, SalesTotals, SalesTotals> = {
  createAccumulator: () => ({ orders: 0, units: 0, revenueMinor: 0 }),
  addInput: (acc, input) => ({ orders: acc.orders + input.orders, units: acc.units + input.units, revenueMinor: acc.revenueMinor + input.revenueMinor }),
  mergeAccumulators: (accumulators) => {
    const total = { orders: 0, units: 0, revenueMinor: 0 };
    for (const acc of accumulators) {
      total.orders += acc.orders;
      total.units += acc.units;
      total.revenueMinor += acc.revenueMinor;
    }
    return total;
  },
  extractOutput: (acc) => ({ ...acc }),
};

/** A sale is the order.paid event; it counts once per category its lines fall in. */
function inputsOf(event: JobEvent): SalesInput[] {
  if (event.topic !== TOPICS.orders || event.type !== 'order.paid') return [];
  const byCategory = new Map<string, SalesInput>();
  for (const line of event.lines) {
    const categoryId = line.categoryId ?? UNCATEGORIZED;
    const input = byCategory.get(categoryId) ?? { currency: event.currency, categoryId, orders: 1, units: 0, revenueMinor: 0 };
    input.units += line.quantity;
    input.revenueMinor += line.lineTotalMinor;
    byCategory.set(categoryId, input);
  }
  return [...byCategory.values()];
}

export const sales: FixedWindowTable<SalesInput, SalesTotals, SalesTotals> = {
  table: WAREHOUSE_TABLES.salesMinute,
  transform: WAREHOUSE_TABLES.salesMinute.name,
  topic: TOPICS.orders,
  windowMs: MINUTE_MS,
  inputsOf,
  keyOf: (input) => compositeKey(input.currency, input.categoryId),
  combineFn: salesFn,
  toRow: (key, window, out, pane, shard) => {
    const [currency, categoryId] = keyPair(key);
    return {
      ...windowColumns(window, pane),
      currency: currency,
      category_id: categoryId,
      shard,
      orders: out.orders,
      units: out.units,
      revenue_minor: out.revenueMinor,
    };
  },
};
