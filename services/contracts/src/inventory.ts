import { z } from 'zod';

export const INVENTORY_SOURCE = '/services/inventory';

export const skuSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, dot, dash or underscore');
export const warehouseIdSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lowercase letters, digits or dash');

/** A SKU's stock at one warehouse after a change; every inventory event carries it. */
export const stockLevelSchema = z.object({
  onHand: z.number().int(),
  reserved: z.number().int(),
  committed: z.number().int(),
  safetyStock: z.number().int(),
  available: z.number().int(),
  incoming: z.number().int(),
  damaged: z.number().int(),
  qualityHold: z.number().int(),
});
export type StockLevelSnapshot = z.infer<typeof stockLevelSchema>;

export const INVENTORY_EVENT_TYPES = [
  'inventory.stock_received',
  'inventory.stock_adjusted',
  'inventory.stock_counted',
  'inventory.stock_moved',
  'inventory.transfer_shipped',
  'inventory.transfer_received',
  'inventory.transfer_cancelled',
  'inventory.stock_reserved',
  'inventory.reservation_extended',
  'inventory.reservation_committed',
  'inventory.stock_fulfilled',
  'inventory.reservation_released',
  'inventory.reservation_expired',
  'inventory.settings_changed',
  'inventory.low_stock',
  'inventory.low_stock_cleared',
] as const;
export type InventoryEventType = (typeof INVENTORY_EVENT_TYPES)[number];

export const stockDeltaSchema = z.object({
  onHand: z.number().int(),
  reserved: z.number().int(),
  committed: z.number().int(),
  incoming: z.number().int(),
  damaged: z.number().int(),
  qualityHold: z.number().int(),
});
export type StockDelta = z.infer<typeof stockDeltaSchema>;

export const inventoryEventDataSchema = z.object({
  movementId: z.string().nullable(),
  warehouseId: warehouseIdSchema,
  sku: skuSchema,
  delta: stockDeltaSchema,
  level: stockLevelSchema,
  reason: z.string().nullable(),
  reference: z.string().nullable(),
  reservationId: z.string().nullable(),
  transferId: z.string().nullable(),
  actor: z.string(),
  reorderPoint: z.number().int().nullable(),
});
export type InventoryEventData = z.infer<typeof inventoryEventDataSchema>;
