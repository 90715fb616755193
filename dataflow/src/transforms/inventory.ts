import { TOPICS, WAREHOUSE_TABLES, type InventoryEventType } from '@shop/contracts';
import type { CombineFn } from './combine';
import type { JobEvent } from './message';
import { compositeKey, keyPair, windowColumns, type FixedWindowTable } from './table';
import { MINUTE_MS } from './time';

/** The level after one event, ordered by event time and then event id. */
export interface StockLevelAt {
  eventTimeMs: number;
  eventId: string;
  onHand: number;
  reserved: number;
  available: number;
  reorderPoint: number | null;
}

/** What one inventory event adds to its SKU's minute at its warehouse. */
export interface InventoryInput {
  sku: string;
  warehouseId: string;
  level: StockLevelAt;
  received: number;
  shipped: number;
  adjusted: number;
}

export interface InventoryAccumulator {
  /** The latest level seen; null before any input. */
  last: StockLevelAt | null;
  received: number;
  shipped: number;
  adjusted: number;
}

export interface InventoryOutput {
  onHand: number;
  reserved: number;
  available: number;
  lowStock: boolean;
  received: number;
  shipped: number;
  adjusted: number;
}

const RECEIVED: ReadonlySet<InventoryEventType> = new Set(['inventory.stock_received', 'inventory.transfer_received']);
const SHIPPED: ReadonlySet<InventoryEventType> = new Set(['inventory.stock_fulfilled', 'inventory.transfer_shipped']);
const ADJUSTED: ReadonlySet<InventoryEventType> = new Set(['inventory.stock_adjusted', 'inventory.stock_counted']);

/**
 * Events of one inventory transaction share a time, so ties go to the greater event id: an
 * arbitrary but total order, which both runners and every replay agree on.
 */
function later(a: StockLevelAt | null, b: StockLevelAt | null): StockLevelAt | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.eventTimeMs !== b.eventTimeMs) return a.eventTimeMs > b.eventTimeMs ? a : b;
  if (a.eventId !== b.eventId) return a.eventId > b.eventId ? a : b;
  // Copies of one event agree; anything else still needs one answer whatever the order.
  return JSON.stringify(a) >= JSON.stringify(b) ? a : b;
}

/** The inventory service's rule: low when available is at or below a set reorder point. */
export const isLowStock = (level: StockLevelAt): boolean => level.reorderPoint !== null && level.available <= level.reorderPoint;

export const inventoryFn: CombineFn<InventoryInput, InventoryAccumulator, InventoryOutput> = {
  createAccumulator: () => ({ last: null, received: 0, shipped: 0, adjusted: 0 }),
  addInput: (acc, input) => ({
    last: later(acc.last, input.level),
    received: acc.received + input.received,
    shipped: acc.shipped + input.shipped,
    adjusted: acc.adjusted + input.adjusted,
  }),
  mergeAccumulators: (accumulators) => {
    let merged: InventoryAccumulator = { last: null, received: 0, shipped: 0, adjusted: 0 };
    for (const acc of accumulators) {
      merged = { last: later(merged.last, acc.last), received: merged.received + acc.received, shipped: merged.shipped + acc.shipped, adjusted: merged.adjusted + acc.adjusted };
    }
    return merged;
  },
  extractOutput: (acc) => {
    if (acc.last === null) throw new Error('an inventory window without events has no output');
    return {
      onHand: acc.last.onHand,
      reserved: acc.last.reserved,
      available: acc.last.available,
      lowStock: isLowStock(acc.last),
      received: acc.received,
      shipped: acc.shipped,
      adjusted: acc.adjusted,
    };
  },
};

function inputsOf(event: JobEvent): InventoryInput[] {
  if (event.topic !== TOPICS.inventory) return [];
  return [
    {
      sku: event.sku,
      warehouseId: event.warehouseId,
      level: { eventTimeMs: event.eventTimeMs, eventId: event.eventId, onHand: event.onHand, reserved: event.reserved, available: event.available, reorderPoint: event.reorderPoint },
      // Receipts may go to quality hold first; both are units that arrived.
      received: RECEIVED.has(event.type) ? event.deltaOnHand + event.deltaQualityHold : 0,
      shipped: SHIPPED.has(event.type) ? -event.deltaOnHand : 0,
      adjusted: ADJUSTED.has(event.type) ? event.deltaOnHand : 0,
    },
  ];
}

export const inventory: FixedWindowTable<InventoryInput, InventoryAccumulator, InventoryOutput> = {
  table: WAREHOUSE_TABLES.inventoryMinute,
  transform: WAREHOUSE_TABLES.inventoryMinute.name,
  topic: TOPICS.inventory,
  windowMs: MINUTE_MS,
  inputsOf,
  keyOf: (input) => compositeKey(input.sku, input.warehouseId),
  combineFn: inventoryFn,
  // inventory_minute rows are complete (the shard key is the SKU), so the shard is not a column.
  toRow: (key, window, out, pane) => {
    const [sku, warehouseId] = keyPair(key);
    return {
      ...windowColumns(window, pane),
      sku: sku,
      warehouse_id: warehouseId,
      on_hand: out.onHand,
      reserved: out.reserved,
      available: out.available,
      units_received: out.received,
      units_shipped: out.shipped,
      units_adjusted: out.adjusted,
      low_stock: out.lowStock,
    };
  },
};
