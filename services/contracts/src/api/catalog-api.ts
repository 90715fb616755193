import { z } from 'zod';
import { optionValuesSchema, PRODUCT_STATUSES } from '../catalog';
import { skuSchema } from '../inventory';
import { currencySchema, minorUnitsSchema, slugSchema, uuidSchema } from '../money';

/**
 * The catalog's read API as its callers (storefront, orders) see it: the service answers with
 * these shapes and documents them in its OpenAPI document; callers parse what they receive with them.
 */

export const categoryRefSchema = z.object({ id: uuidSchema, slug: slugSchema, name: z.string() });
export type CategoryRef = z.infer<typeof categoryRefSchema>;

export const categoryViewSchema = categoryRefSchema.extend({
  parentId: uuidSchema.nullable(),
  /** Ancestors from the root down, then the category itself. */
  path: z.array(categoryRefSchema),
  position: z.number().int(),
});
export type CategoryView = z.infer<typeof categoryViewSchema>;

export const imageSchema = z.object({ url: z.string(), alt: z.string() });

export const variantViewSchema = z.object({
  sku: skuSchema,
  options: optionValuesSchema,
  priceMinor: minorUnitsSchema,
  currency: currencySchema,
  /** Sellable units across warehouses, as last reported by inventory events. */
  available: z.number().int(),
  inStock: z.boolean(),
});
export type VariantView = z.infer<typeof variantViewSchema>;

export const productSummarySchema = z.object({
  id: uuidSchema,
  slug: slugSchema,
  name: z.string(),
  categoryId: uuidSchema.nullable(),
  /** Lowest variant price. */
  priceMinor: minorUnitsSchema,
  currency: currencySchema,
  image: imageSchema.nullable(),
  inStock: z.boolean(),
});
export type ProductSummary = z.infer<typeof productSummarySchema>;

export const productDetailSchema = productSummarySchema.extend({
  description: z.string(),
  status: z.enum(PRODUCT_STATUSES),
  category: categoryRefSchema.nullable(),
  breadcrumb: z.array(categoryRefSchema),
  /** Option names in display order with their values, e.g. [{ name: 'size', values: ['S', 'M'] }]. */
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })),
  variants: z.array(variantViewSchema).min(1),
  images: z.array(imageSchema),
  maxPriceMinor: minorUnitsSchema,
  version: z.number().int(),
  updatedAt: z.string(),
});
export type ProductDetail = z.infer<typeof productDetailSchema>;

export const PRODUCT_SORTS = ['relevance', 'price_asc', 'price_desc', 'newest', 'name', 'best_selling'] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];
export const MAX_PAGE_SIZE = 100;

/** GET /v1/products: listing, category browsing and search in one query. */
export const productListQuerySchema = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  category: slugSchema.optional(),
  minPrice: z.coerce.number().int().min(0).optional(),
  maxPrice: z.coerce.number().int().min(0).optional(),
  inStock: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  /** Defaults to relevance with q, newest without. */
  sort: z.enum(PRODUCT_SORTS).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(24),
});
export type ProductListQuery = z.input<typeof productListQuerySchema>;

export const productPageSchema = z.object({
  items: z.array(productSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ProductPage = z.infer<typeof productPageSchema>;

export const categoryListSchema = z.object({ items: z.array(categoryViewSchema) });

/** GET /v1/skus?skus=a,b: what orders needs to price a cart line. */
export const skuPriceSchema = z.object({
  sku: skuSchema,
  productId: uuidSchema,
  productName: z.string(),
  slug: slugSchema,
  categoryId: uuidSchema.nullable(),
  options: optionValuesSchema,
  priceMinor: minorUnitsSchema,
  currency: currencySchema,
  /** Active and not deleted: it may be put in a cart and bought. */
  sellable: z.boolean(),
});
export type SkuPrice = z.infer<typeof skuPriceSchema>;
export const skuPriceListSchema = z.object({ items: z.array(skuPriceSchema) });
export const MAX_SKUS_PER_PRICE_QUERY = 200;
