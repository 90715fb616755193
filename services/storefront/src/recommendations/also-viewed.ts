import type { ProductDetail, ProductSummary } from '@shop/contracts';
import type { Logger } from '@shop/kit';
import type { CatalogApi } from '../callees/catalog';

/** "Shoppers also viewed": product ids most often viewed in the same sessions, best first. */
export interface AlsoViewed {
  forProduct(productId: string, limit: number): Promise<string[]>;
}

/** For deployments without co-view data yet: every product falls back to its category's best sellers. */
export const noAlsoViewed: AlsoViewed = { forProduct: async () => [] };

/**
 * Products to show next to one: co-views when there are any, else the best sellers of its
 * category. A failure here only costs the section, never the product page.
 */
export async function alsoViewedFor(product: ProductDetail, limit: number, port: AlsoViewed, catalog: CatalogApi, logger: Logger): Promise<ProductSummary[]> {
  try {
    const ids = (await port.forProduct(product.id, limit + 1)).filter((id) => id !== product.id).slice(0, limit);
    if (ids.length > 0) {
      const found = await catalog.summaries(ids);
      if (found.length > 0) return found;
    }
  } catch (err) {
    logger.warn({ err, productId: product.id }, 'also-viewed unavailable; showing best sellers instead');
  }
  if (!product.category) return [];
  try {
    const page = await catalog.products({ category: product.category.slug, sort: 'best_selling', limit: limit + 1 });
    return page.items.filter((p) => p.id !== product.id).slice(0, limit);
  } catch (err) {
    logger.warn({ err, productId: product.id }, 'best sellers unavailable; product page shown without recommendations');
    return [];
  }
}
