import { bootService, busFor, cacheFor, createObjectStore, databaseFor, tokenVerifierFrom } from '@shop/kit';
import { CATALOG_MIGRATIONS_DIR } from './migrations-dir';
import { catalogConfigSchema } from './config';
import { startCatalogService } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
bootService('catalog', catalogConfigSchema, async (boot) => {
  const { config, logger } = boot;
  return startCatalogService(
    {
      db: await databaseFor(boot, CATALOG_MIGRATIONS_DIR),
      cache: await cacheFor(boot),
      bus: busFor(boot),
      logger,
      verifyToken: tokenVerifierFrom(config),
      objects: createObjectStore(config.LOCAL_OBJECTS_DIR ? { localRoot: config.LOCAL_OBJECTS_DIR } : { gcs: {} }),
      importsBucket: config.IMPORTS_BUCKET,
      assetsBaseUrl: config.ASSETS_BASE_URL,
      cacheTtl: { productSeconds: config.PRODUCT_CACHE_TTL_SECONDS, listingSeconds: config.LISTING_CACHE_TTL_SECONDS },
      bodyLimit: config.BODY_LIMIT,
    },
    { port: config.PORT, host: config.HOST },
  );
});
