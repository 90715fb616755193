import { bootService, cacheFor, CookieSigner, createBigQueryWarehouse, googleIdTokenCredentials } from '@shop/kit';
import { createCallees } from './callees/index';
import { storefrontConfigSchema, storefrontSettingsSchema } from './config';
import { warehouseAlsoViewed } from './recommendations/warehouse-also-viewed';
import { startStorefront } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
bootService('storefront', storefrontConfigSchema, async (boot) => {
  const { config, logger } = boot;
  const cache = await cacheFor(boot);
  const project = config.GOOGLE_CLOUD_PROJECT;
  const warehouse = config.BIGQUERY_DATASET && project ? await createBigQueryWarehouse({ projectId: project, dataset: config.BIGQUERY_DATASET }) : null;
  if (warehouse) boot.onClose('warehouse', () => warehouse.close());
  return startStorefront(
    {
      logger,
      cache,
      cookies: new CookieSigner(config.STOREFRONT_COOKIE_KEY),
      callees: createCallees({
        catalogUrl: config.CATALOG_URL,
        inventoryUrl: config.INVENTORY_URL,
        ordersUrl: config.ORDERS_URL,
        activityUrl: config.ACTIVITY_URL,
        credentials: googleIdTokenCredentials(),
        timeoutMs: config.CALL_TIMEOUT_MS,
        checkoutTimeoutMs: config.CHECKOUT_TIMEOUT_MS,
      }),
      ...(warehouse ? { alsoViewed: warehouseAlsoViewed({ warehouse, cache, logger, ttlSeconds: config.ALSO_VIEWED_CACHE_SECONDS }) } : {}),
      settings: storefrontSettingsSchema.parse(config),
      bodyLimit: config.BODY_LIMIT,
      activityQueue: { batchSize: config.ACTIVITY_BATCH_SIZE, flushIntervalMs: config.ACTIVITY_FLUSH_MS, maxQueued: config.ACTIVITY_QUEUE_MAX },
    },
    { port: config.PORT, host: config.HOST },
  );
});
