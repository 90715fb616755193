import { MAX_SKUS_PER_PRICE_QUERY, skuPriceListSchema, type SkuPrice } from '@shop/contracts';
import { problems, ServiceCallError, ServiceClient, ServiceUnavailableError } from '@shop/kit';

/** The catalog's price list for SKUs (GET /v1/skus), the only thing orders asks of it. */
export class CatalogPrices {
  constructor(private readonly client: ServiceClient) {}

  static connect(baseUrl: string): CatalogPrices {
    return new CatalogPrices(new ServiceClient({ service: 'catalog', baseUrl, timeoutMs: 3_000 }));
  }

  /** Prices by SKU; a SKU the catalog does not know is absent. */
  async prices(skus: readonly string[]): Promise<Map<string, SkuPrice>> {
    const unique = [...new Set(skus)];
    const found = new Map<string, SkuPrice>();
    for (let i = 0; i < unique.length; i += MAX_SKUS_PER_PRICE_QUERY) {
      const batch = unique.slice(i, i + MAX_SKUS_PER_PRICE_QUERY);
      try {
        const page = await this.client.get('/v1/skus', skuPriceListSchema, { query: { skus: batch.join(',') } });
        for (const item of page.items) found.set(item.sku, item);
      } catch (err) {
        throw asUnavailable('catalog', err);
      }
    }
    return found;
  }

  close(): void {
    this.client.close();
  }
}

/** A dependency that failed us is our 503, never the caller's fault; its 4xx means we asked wrongly. */
export function asUnavailable(service: string, err: unknown): unknown {
  if (err instanceof ServiceUnavailableError || err instanceof ServiceCallError) {
    return problems.unavailable(`${service}-unavailable`, `The ${service} service could not answer (${err.message}); try again shortly`);
  }
  return err;
}
