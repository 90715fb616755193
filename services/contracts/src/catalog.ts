import { z } from 'zod';
import { skuSchema } from './inventory';
import { currencySchema, minorUnitsSchema, slugSchema, uuidSchema } from './money';

export const CATALOG_SOURCE = '/services/catalog';

export const PRODUCT_STATUSES = ['draft', 'active', 'archived'] as const;
export type ProductStatus = (typeof PRODUCT_STATUSES)[number];

export const CATALOG_EVENT_TYPES = [
  'catalog.product_created',
  'catalog.product_updated',
  /** Soft delete: the product leaves the storefront and carts drop it. */
  'catalog.product_deleted',
  'catalog.category_changed',
] as const;
export type CatalogEventType = (typeof CATALOG_EVENT_TYPES)[number];

/** Option values of a variant, e.g. { colour: 'black', size: 'M' }. */
export const optionValuesSchema = z.record(z.string().min(1).max(40), z.string().min(1).max(80));

export const variantSnapshotSchema = z.object({
  sku: skuSchema,
  priceMinor: minorUnitsSchema,
  currency: currencySchema,
  options: optionValuesSchema,
});

/**
 * Every product event carries the product as it is after the change (subject = product id), so
 * consumers need no lookups. `version` grows with every change; consumers ignore older versions.
 */
export const productEventDataSchema = z.object({
  productId: uuidSchema,
  slug: slugSchema,
  name: z.string(),
  status: z.enum(PRODUCT_STATUSES),
  categoryId: uuidSchema.nullable(),
  variants: z.array(variantSnapshotSchema),
  version: z.number().int().min(1),
  deletedAt: z.iso.datetime({ offset: true }).nullable(),
});
export type ProductEventData = z.infer<typeof productEventDataSchema>;

export const categoryEventDataSchema = z.object({
  categoryId: uuidSchema,
  slug: slugSchema,
  name: z.string(),
  parentId: uuidSchema.nullable(),
  deleted: z.boolean(),
});
export type CategoryEventData = z.infer<typeof categoryEventDataSchema>;

export const catalogEventDataSchemas = {
  'catalog.product_created': productEventDataSchema,
  'catalog.product_updated': productEventDataSchema,
  'catalog.product_deleted': productEventDataSchema,
  'catalog.category_changed': categoryEventDataSchema,
} as const satisfies Record<CatalogEventType, z.ZodType>;
