import { z } from 'zod';
import { availabilityResultSchema, MAX_SKUS_PER_AVAILABILITY_QUERY, reservationViewSchema, skuSchema, stockLevelSchema, warehouseIdSchema } from '@shop/contracts';
import { ADJUST_REASONS, BUCKETS } from '../operations/stock';

export { skuSchema, warehouseIdSchema };

export const MAX_QUANTITY = 1_000_000;
const quantity = z.number().int().min(1).max(MAX_QUANTITY);
const reference = z.string().min(1).max(128).optional();
const uuid = z.uuid();

export const idParams = z.object({ id: uuid });
export const warehouseParams = z.object({ id: warehouseIdSchema });
export const stockParams = z.object({ warehouseId: warehouseIdSchema, sku: skuSchema });

export const pageQuery = {
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
};

const csv = (item: z.ZodType<string, string>, max: number) =>
  z
    .string()
    .max(max * 80)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).min(1).max(max));

export const warehouseCreate = z.strictObject({ id: warehouseIdSchema, name: z.string().min(1).max(200), priority: z.number().int().min(0).max(10_000).default(100) });
export const warehousePatch = z
  .strictObject({ name: z.string().min(1).max(200).optional(), priority: z.number().int().min(0).max(10_000).optional(), active: z.boolean().optional() })
  .refine((v) => Object.keys(v).length > 0, 'at least one of name, priority, active');
export const warehouseView = z.object({ id: z.string(), name: z.string(), priority: z.number(), active: z.boolean() });

export const receiveBody = z.strictObject({ warehouseId: warehouseIdSchema, sku: skuSchema, quantity, reference, qualityHold: z.boolean().optional() });
export const adjustBody = z.strictObject({
  warehouseId: warehouseIdSchema,
  sku: skuSchema,
  delta: z.number().int().min(-MAX_QUANTITY).max(MAX_QUANTITY).refine((d) => d !== 0, 'must not be 0'),
  reason: z.enum(ADJUST_REASONS),
  reference,
});
export const countBody = z.strictObject({
  warehouseId: warehouseIdSchema,
  sku: skuSchema,
  expectedOnHand: z.number().int().min(0).max(MAX_QUANTITY).nullable(),
  countedOnHand: z.number().int().min(0).max(MAX_QUANTITY),
  reference,
});
export const moveBody = z.strictObject({
  warehouseId: warehouseIdSchema,
  sku: skuSchema,
  from: z.enum(BUCKETS),
  to: z.enum([...BUCKETS, 'disposed']),
  quantity,
  reference,
});
export const settingsBody = z
  .strictObject({ safetyStock: z.number().int().min(0).max(MAX_QUANTITY).optional(), reorderPoint: z.number().int().min(0).max(MAX_QUANTITY).nullable().optional() })
  .refine((v) => v.safetyStock !== undefined || v.reorderPoint !== undefined, 'give safetyStock or reorderPoint');

export const stockResult = z.object({ movementId: z.string(), warehouseId: z.string(), sku: z.string(), level: stockLevelSchema });
export const levelViewSchema = stockLevelSchema.extend({
  sku: z.string(),
  warehouseId: z.string(),
  reorderPoint: z.number().nullable(),
  lowStock: z.boolean(),
  updatedAt: z.string(),
});

export const stockListQuery = z.object({
  warehouseId: warehouseIdSchema.optional(),
  skuPrefix: z.string().max(64).optional(),
  lowStock: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  ...pageQuery,
});

export const availabilityQuery = z.object({ skus: csv(skuSchema, MAX_SKUS_PER_AVAILABILITY_QUERY), warehouseId: warehouseIdSchema.optional() });
export const availabilityBody = z.strictObject({ skus: z.array(skuSchema).min(1).max(1_000), warehouseIds: z.array(warehouseIdSchema).min(1).max(100).optional() });
export const availabilityResult = availabilityResultSchema;

export const transferBody = z.strictObject({
  fromWarehouseId: warehouseIdSchema,
  toWarehouseId: warehouseIdSchema,
  lines: z.array(z.strictObject({ sku: skuSchema, quantity })).min(1).max(500),
  reference,
});
export const transferReceiveBody = z.strictObject({
  lines: z.array(z.strictObject({ sku: skuSchema, receivedQuantity: z.number().int().min(0).max(MAX_QUANTITY) })).max(500).optional(),
});
export const transferView = z.object({
  id: z.string(),
  fromWarehouseId: z.string(),
  toWarehouseId: z.string(),
  status: z.enum(['in_transit', 'received', 'cancelled']),
  reference: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  lines: z.array(z.object({ sku: z.string(), quantity: z.number(), receivedQuantity: z.number().nullable() })),
});

export const MAX_TTL_SECONDS = 7 * 24 * 3600;
const ttlSeconds = z.number().int().min(1).max(MAX_TTL_SECONDS);
export const reserveBody = z.strictObject({
  reference: z.string().min(1).max(128),
  lines: z.array(z.strictObject({ sku: skuSchema, quantity })).min(1).max(100),
  ttlSeconds: ttlSeconds.default(900),
  strategy: z.enum(['priority', 'most_stock']).default('priority'),
  warehouseIds: z.array(warehouseIdSchema).min(1).max(100).optional(),
});
export const extendBody = z.strictObject({ ttlSeconds });
export const releaseBody = z.strictObject({ reason: z.enum(['cancelled', 'payment_failed', 'cart_abandoned', 'order_cancelled']).default('cancelled') });
export const reservationView = reservationViewSchema;

export const ledgerQuery = z.object({
  sku: skuSchema.optional(),
  warehouseId: warehouseIdSchema.optional(),
  reservationId: uuid.optional(),
  ...pageQuery,
});

const deltaSchema = z.object({ onHand: z.number(), reserved: z.number(), committed: z.number(), incoming: z.number(), damaged: z.number(), qualityHold: z.number() });
export const ledgerEntryView = z.object({
  id: z.number(),
  movementId: z.string(),
  sku: z.string(),
  warehouseId: z.string(),
  kind: z.string(),
  reason: z.string().nullable(),
  reference: z.string().nullable(),
  reservationId: z.string().nullable(),
  transferId: z.string().nullable(),
  actor: z.string(),
  idempotencyKey: z.string().nullable(),
  delta: deltaSchema,
  before: stockLevelSchema,
  after: stockLevelSchema,
  createdAt: z.string(),
});

export const importBody = z.strictObject({
  mode: z.enum(['receive', 'count']),
  source: z.string().regex(/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}\/.+$/, 'must be a gs://bucket/object URI').max(1024),
  dryRun: z.boolean().default(false),
});
export const importUploadQuery = z.object({ mode: z.enum(['receive', 'count']), dryRun: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') });
export const importJobView = z.object({
  id: z.string(),
  mode: z.enum(['receive', 'count']),
  source: z.string(),
  dryRun: z.boolean(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  totalRows: z.number().nullable(),
  processedRows: z.number(),
  appliedRows: z.number(),
  skippedRows: z.number(),
  failedRows: z.number(),
  progress: z.number(),
  errors: z.array(z.object({ row: z.number(), field: z.string().nullable(), message: z.string() })),
  failure: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});

export const streamQuery = z
  .object({ warehouseId: warehouseIdSchema.optional(), skus: csv(skuSchema, 200).optional() })
  .refine((v) => v.warehouseId !== undefined || v.skus !== undefined, 'give warehouseId or skus');

export const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
