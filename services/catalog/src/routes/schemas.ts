import { z } from 'zod';
import {
  currencySchema,
  MAX_PAGE_SIZE,
  MAX_SKUS_PER_PRICE_QUERY,
  minorUnitsSchema,
  optionValuesSchema,
  PRODUCT_STATUSES,
  skuSchema,
  slugSchema,
  uuidSchema,
  variantViewSchema,
} from '@shop/contracts';
import { GS_OBJECT_URI } from '../domain/images';
import { isUuidShaped } from '../domain/products';

export const idParams = z.object({ id: uuidSchema });

/** A product is named by its id or its slug in the same path segment. */
export const productRefParams = z.object({
  idOrSlug: z.union([uuidSchema, slugSchema], { error: 'must be a product id or slug' }),
});

export const skusQuery = z.object({
  skus: z
    .string()
    .max(MAX_SKUS_PER_PRICE_QUERY * 70)
    .transform((s) => [...new Set(s.split(',').map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(skuSchema).min(1, 'give at least one SKU').max(MAX_SKUS_PER_PRICE_QUERY, `at most ${MAX_SKUS_PER_PRICE_QUERY} SKUs`)),
});

const productSlug = slugSchema.refine((s) => !isUuidShaped(s), 'must not look like a product id');
const name = z.string().trim().min(1).max(200);
const image = z.strictObject({ uri: z.string().max(1024).regex(GS_OBJECT_URI, 'must be a gs://bucket/object URI'), alt: z.string().max(300) });
const variant = z.strictObject({
  sku: skuSchema,
  options: optionValuesSchema.refine((o) => Object.keys(o).length <= 5, 'at most 5 options').default({}),
  priceMinor: minorUnitsSchema,
});
const variants = z.array(variant).min(1).max(100);

export const productCreateBody = z.strictObject({
  slug: productSlug,
  name,
  description: z.string().max(10_000).default(''),
  status: z.enum(PRODUCT_STATUSES).default('draft'),
  categoryId: uuidSchema.nullable().default(null),
  currency: currencySchema,
  images: z.array(image).max(20).default([]),
  variants,
});

export const productPatchBody = z
  .strictObject({
    slug: productSlug.optional(),
    name: name.optional(),
    description: z.string().max(10_000).optional(),
    status: z.enum(PRODUCT_STATUSES).optional(),
    categoryId: uuidSchema.nullable().optional(),
    currency: currencySchema.optional(),
    images: z.array(image).max(20).optional(),
    /** The complete new list of variants: SKUs left out are removed. */
    variants: variants.optional(),
    expectedVersion: z.number().int().min(1).optional(),
  })
  .refine((v) => Object.keys(v).some((k) => k !== 'expectedVersion'), 'give at least one field to change');

export const statusBody = z.strictObject({ status: z.enum(PRODUCT_STATUSES), expectedVersion: z.number().int().min(1).optional() });

export const adminListQuery = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  status: z.enum(PRODUCT_STATUSES).optional(),
  /** Deleted products are left out unless asked for. */
  deleted: z.enum(['exclude', 'include', 'only']).default('exclude'),
  categoryId: uuidSchema.optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(50),
});

const position = z.number().int().min(0).max(1_000_000);
export const categoryCreateBody = z.strictObject({ slug: slugSchema, name, parentId: uuidSchema.nullable().default(null), position: position.default(0) });
export const categoryPatchBody = z
  .strictObject({ slug: slugSchema.optional(), name: name.optional(), position: position.optional() })
  .refine((v) => Object.keys(v).length > 0, 'give at least one of slug, name, position');
export const categoryMoveBody = z.strictObject({ parentId: uuidSchema.nullable(), position: position.optional() });

export const categoryView = z.object({ id: z.string(), slug: z.string(), name: z.string(), parentId: z.string().nullable(), position: z.number() });

export const adminProductView = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(PRODUCT_STATUSES),
  categoryId: z.string().nullable(),
  currency: z.string(),
  images: z.array(z.object({ uri: z.string(), url: z.string(), alt: z.string() })),
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  variants: z.array(variantViewSchema),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export const adminProductPage = z.object({ items: z.array(adminProductView), nextCursor: z.string().nullable() });

export const importBody = z.strictObject({
  source: z.string().max(1024).regex(/^gs:\/\/[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]\/.+$/, 'must be a gs://bucket/object URI'),
  dryRun: z.boolean().default(false),
});
export const importUploadQuery = z.object({ dryRun: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') });
export const importJobView = z.object({
  id: z.string(),
  source: z.string(),
  dryRun: z.boolean(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  totalRows: z.number().nullable(),
  processedRows: z.number(),
  createdRows: z.number(),
  updatedRows: z.number(),
  unchangedRows: z.number(),
  failedRows: z.number(),
  progress: z.number(),
  errors: z.array(z.object({ row: z.number(), field: z.string().nullable(), message: z.string() })),
  failure: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
