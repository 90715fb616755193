import type { CategoryRef, ProductDetail, ProductSummary, VariantView } from '@shop/contracts';
import { imageUrl } from './images';
import { optionsView, priceRange, type ImageState, type ProductRecord } from './products';

/** How a stored product is shown: image URIs become URLs under the assets base. */
export interface ViewContext {
  assetsBaseUrl: string;
}

const imageView = (ctx: ViewContext, image: ImageState) => ({ url: imageUrl(ctx.assetsBaseUrl, image.uri), alt: image.alt });

export function variantViews(record: ProductRecord): VariantView[] {
  return record.variants.map((v) => {
    const available = record.available[v.sku] ?? 0;
    return { sku: v.sku, options: v.options, priceMinor: v.priceMinor, currency: record.currency, available, inStock: available > 0 };
  });
}

export function productDetailView(ctx: ViewContext, record: ProductRecord, breadcrumb: CategoryRef[]): ProductDetail {
  const variants = variantViews(record);
  const { min, max } = priceRange(record.variants);
  const first = record.images[0];
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    categoryId: record.categoryId,
    priceMinor: min,
    currency: record.currency,
    image: first ? imageView(ctx, first) : null,
    inStock: variants.some((v) => v.inStock),
    description: record.description,
    status: record.status,
    category: breadcrumb[breadcrumb.length - 1] ?? null,
    breadcrumb,
    options: optionsView(record),
    variants,
    images: record.images.map((i) => imageView(ctx, i)),
    maxPriceMinor: max,
    version: record.version,
    updatedAt: record.updatedAt.toISOString(),
  };
}

/** A listing row as the listing query returns it. */
export interface SummaryRow {
  id: string;
  slug: string;
  name: string;
  categoryId: string | null;
  priceMinor: number;
  currency: string;
  image: ImageState | null;
  inStock: boolean;
}

export const productSummaryView = (ctx: ViewContext, row: SummaryRow): ProductSummary => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  categoryId: row.categoryId,
  priceMinor: row.priceMinor,
  currency: row.currency,
  image: row.image ? imageView(ctx, row.image) : null,
  inStock: row.inStock,
});

/** What catalog managers see: everything stored, drafts and deleted products included. */
export function adminProductView(ctx: ViewContext, record: ProductRecord) {
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    description: record.description,
    status: record.status,
    categoryId: record.categoryId,
    currency: record.currency,
    images: record.images.map((i) => ({ uri: i.uri, url: imageUrl(ctx.assetsBaseUrl, i.uri), alt: i.alt })),
    options: optionsView(record),
    variants: variantViews(record),
    version: record.version,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    deletedAt: record.deletedAt ? record.deletedAt.toISOString() : null,
  };
}
export type AdminProductView = ReturnType<typeof adminProductView>;
