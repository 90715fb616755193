import type { Cache, Logger, Warehouse } from '@shop/kit';
import type { AlsoViewed } from './also-viewed';

export interface WarehouseAlsoViewedOptions {
  warehouse: Warehouse;
  cache: Cache;
  logger: Logger;
  /** How long a product's co-views are kept in the cache; the daily aggregates change slowly. */
  ttlSeconds: number;
}

/**
 * "Shoppers also viewed" from the streaming job's co-view aggregates in the warehouse (BigQuery in
 * production, DuckDB locally), kept in the cache so a product's pairs are queried once per TTL
 * across the fleet rather than on every page. When the cache is down the warehouse is asked directly.
 */
export function warehouseAlsoViewed(options: WarehouseAlsoViewedOptions): AlsoViewed {
  return {
    forProduct: async (productId, limit) => {
      const key = `also-viewed:${productId}:${limit}`;
      const cached = await options.cache.get(key).catch(() => null);
      if (cached !== null) return JSON.parse(cached) as string[];
      const ids = (await options.warehouse.topCoViewed(productId, { limit })).map((p) => p.productId);
      await options.cache.set(key, JSON.stringify(ids), options.ttlSeconds).catch((err: unknown) => options.logger.debug({ err }, 'co-views not cached'));
      return ids;
    },
  };
}
