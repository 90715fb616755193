import { bootService, busFor, cacheFor, createObjectStore, databaseFor, tokenVerifierFrom } from '@shop/kit';
import { INVENTORY_MIGRATIONS_DIR } from './migrations-dir';
import { inventoryConfigSchema } from './config';
import { startInventoryService } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
bootService('inventory', inventoryConfigSchema, async (boot) => {
  const { config, logger } = boot;
  return startInventoryService(
    {
      db: await databaseFor(boot, INVENTORY_MIGRATIONS_DIR),
      cache: await cacheFor(boot),
      bus: busFor(boot),
      logger,
      verifyToken: tokenVerifierFrom(config),
      objects: createObjectStore(config.LOCAL_OBJECTS_DIR ? { localRoot: config.LOCAL_OBJECTS_DIR } : { gcs: {} }),
      importsBucket: config.IMPORTS_BUCKET,
      bodyLimit: config.BODY_LIMIT,
    },
    { port: config.PORT, host: config.HOST },
  );
});
