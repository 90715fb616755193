import {
  categoryListSchema,
  productDetailSchema,
  productPageSchema,
  type CategoryView,
  type ProductDetail,
  type ProductPage,
  type ProductSort,
  type ProductSummary,
} from '@shop/contracts';
import { ServiceCallError, type ServiceClient } from '@shop/kit';

const summaryOf = (p: ProductDetail): ProductSummary => ({
  id: p.id,
  slug: p.slug,
  name: p.name,
  categoryId: p.categoryId,
  priceMinor: p.priceMinor,
  currency: p.currency,
  image: p.image,
  inStock: p.inStock,
});

/** GET /v1/products parameters (productListQuerySchema), as the storefront sends them. */
export interface CatalogQuery {
  q?: string;
  category?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: 'true' | 'false';
  sort?: ProductSort;
  cursor?: string;
  limit?: number;
}

/** The catalog's public read API (no token), answers parsed with its contract. */
export class CatalogApi {
  constructor(private readonly client: ServiceClient) {}

  categories(): Promise<CategoryView[]> {
    return this.client.get('/v1/categories', categoryListSchema).then((r) => r.items);
  }

  products(query: CatalogQuery): Promise<ProductPage> {
    return this.client.get('/v1/products', productPageSchema, { query: { ...query } });
  }

  /** An active product by slug or id, or null when the catalog has none. */
  async product(slugOrId: string): Promise<ProductDetail | null> {
    try {
      return await this.client.get(`/v1/products/${encodeURIComponent(slugOrId)}`, productDetailSchema);
    } catch (err) {
      if (err instanceof ServiceCallError && err.status === 404) return null;
      throw err;
    }
  }

  /** Summaries of products by id, in the order asked, leaving out those no longer for sale (the catalog caches each). */
  async summaries(ids: string[]): Promise<ProductSummary[]> {
    const products = await Promise.all(ids.map((id) => this.product(id)));
    return products.flatMap((p) => (p ? [summaryOf(p)] : []));
  }
}
