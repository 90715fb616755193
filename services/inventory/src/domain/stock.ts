import type { InventoryEventType, StockDelta, StockLevelSnapshot } from '@shop/contracts';

/** A SKU's row at one warehouse, as stored. */
export interface Level {
  sku: string;
  warehouseId: string;
  onHand: number;
  reserved: number;
  committed: number;
  safetyStock: number;
  incoming: number;
  damaged: number;
  qualityHold: number;
  reorderPoint: number | null;
  lowStock: boolean;
}

export const levelKey = (sku: string, warehouseId: string): string => `${sku}\u0000${warehouseId}`;

export const ZERO_DELTA: StockDelta = { onHand: 0, reserved: 0, committed: 0, incoming: 0, damaged: 0, qualityHold: 0 };

export function emptyLevel(sku: string, warehouseId: string): Level {
  return { sku, warehouseId, onHand: 0, reserved: 0, committed: 0, safetyStock: 0, incoming: 0, damaged: 0, qualityHold: 0, reorderPoint: null, lowStock: false };
}

/** Sellable now: physical stock not promised and not kept back as safety stock. */
export function availableOf(level: Pick<Level, 'onHand' | 'reserved' | 'committed' | 'safetyStock'>): number {
  return Math.max(0, level.onHand - level.reserved - level.committed - level.safetyStock);
}

/** Physical stock not promised to anyone (may be shipped or adjusted away). */
export const unallocatedOf = (level: Level): number => level.onHand - level.reserved - level.committed;

export function snapshot(level: Level): StockLevelSnapshot {
  return {
    onHand: level.onHand,
    reserved: level.reserved,
    committed: level.committed,
    safetyStock: level.safetyStock,
    available: availableOf(level),
    incoming: level.incoming,
    damaged: level.damaged,
    qualityHold: level.qualityHold,
  };
}

export type MovementKind =
  | 'receive'
  | 'adjust'
  | 'count'
  | 'move'
  | 'transfer_ship'
  | 'transfer_receive'
  | 'transfer_cancel'
  | 'reserve'
  | 'extend'
  | 'commit'
  | 'fulfil'
  | 'release'
  | 'expire'
  | 'settings';

export const EVENT_OF_KIND: Record<MovementKind, InventoryEventType> = {
  receive: 'inventory.stock_received',
  adjust: 'inventory.stock_adjusted',
  count: 'inventory.stock_counted',
  move: 'inventory.stock_moved',
  transfer_ship: 'inventory.transfer_shipped',
  transfer_receive: 'inventory.transfer_received',
  transfer_cancel: 'inventory.transfer_cancelled',
  reserve: 'inventory.stock_reserved',
  extend: 'inventory.reservation_extended',
  commit: 'inventory.reservation_committed',
  fulfil: 'inventory.stock_fulfilled',
  release: 'inventory.reservation_released',
  expire: 'inventory.reservation_expired',
  settings: 'inventory.settings_changed',
};

/** One change to one SKU at one warehouse, before it is checked and applied. */
export interface Movement {
  sku: string;
  warehouseId: string;
  kind: MovementKind;
  delta: Partial<StockDelta>;
  reason?: string | null;
  reference?: string | null;
  reservationId?: string | null;
  transferId?: string | null;
  /** Settings changes (safety stock, reorder point) ride along as a zero-quantity movement. */
  settings?: { safetyStock?: number; reorderPoint?: number | null };
}

export class StockRuleViolation extends Error {
  constructor(
    readonly code: 'negative' | 'over-promised',
    readonly sku: string,
    readonly warehouseId: string,
    message: string,
  ) {
    super(message);
  }
}

const QUANTITY_FIELDS = ['onHand', 'reserved', 'committed', 'incoming', 'damaged', 'qualityHold'] as const;

export function fullDelta(delta: Partial<StockDelta>): StockDelta {
  return { ...ZERO_DELTA, ...delta };
}

/** Applies a movement to a level, enforcing the same rules as the table's CHECK constraints. */
export function applyMovement(level: Level, movement: Movement): Level {
  const delta = fullDelta(movement.delta);
  const next: Level = { ...level };
  for (const field of QUANTITY_FIELDS) {
    next[field] = level[field] + delta[field];
    if (next[field] < 0) {
      throw new StockRuleViolation('negative', level.sku, level.warehouseId, `${field} of ${level.sku} at ${level.warehouseId} would be ${next[field]}`);
    }
  }
  if (movement.settings?.safetyStock !== undefined) next.safetyStock = movement.settings.safetyStock;
  if (movement.settings?.reorderPoint !== undefined) next.reorderPoint = movement.settings.reorderPoint;
  if (next.reserved + next.committed > next.onHand) {
    throw new StockRuleViolation(
      'over-promised',
      level.sku,
      level.warehouseId,
      `${level.sku} at ${level.warehouseId}: on hand ${next.onHand} would not cover ${next.reserved} reserved and ${next.committed} committed`,
    );
  }
  return next;
}

export type LowStockTransition = 'low_stock' | 'low_stock_cleared' | null;

/** Reorder-point crossing: reported once on the way down, reset on the way back up. */
export function lowStockTransition(level: Level): LowStockTransition {
  if (level.reorderPoint === null) return level.lowStock ? 'low_stock_cleared' : null;
  const low = availableOf(level) <= level.reorderPoint;
  if (low && !level.lowStock) return 'low_stock';
  if (!low && level.lowStock) return 'low_stock_cleared';
  return null;
}
