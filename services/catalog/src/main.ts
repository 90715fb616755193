import {
  ConfigError,
  createDb,
  createLogger,
  createObjectStore,
  createSecretManagerResolver,
  drainOnSignal,
  loadConfig,
  migrate,
  openBus,
  openCache,
  startTelemetry,
  tokenVerifierFrom,
} from '@shop/kit';
import { CATALOG_MIGRATIONS_DIR } from './migrations-dir';
import { catalogConfigSchema } from './config';
import { startCatalogService } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
async function main(): Promise<void> {
  const config = await loadConfig(catalogConfigSchema, process.env, createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }));
  const telemetry = startTelemetry({ service: config.SERVICE_NAME, exporter: config.OTEL_EXPORTER, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, project: config.GOOGLE_CLOUD_PROJECT });
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: config.SERVICE_NAME });
  if (config.MIGRATE_ON_START) {
    const applied = await migrate(db, CATALOG_MIGRATIONS_DIR);
    logger.info({ applied }, 'migrations applied');
  }
  const cache = await openCache(config, logger);
  const bus = openBus(config, logger);
  const objects = createObjectStore(config.LOCAL_OBJECTS_DIR ? { localRoot: config.LOCAL_OBJECTS_DIR } : { gcs: {} });
  const verifyToken = tokenVerifierFrom(config);

  const service = await startCatalogService(
    {
      db,
      cache,
      bus,
      logger,
      verifyToken,
      objects,
      importsBucket: config.IMPORTS_BUCKET,
      assetsBaseUrl: config.ASSETS_BASE_URL,
      cacheTtl: { productSeconds: config.PRODUCT_CACHE_TTL_SECONDS, listingSeconds: config.LISTING_CACHE_TTL_SECONDS },
      bodyLimit: config.BODY_LIMIT,
    },
    { port: config.PORT, host: config.HOST },
  );
  drainOnSignal({
    logger,
    graceMs: config.SHUTDOWN_GRACE_MS,
    beginDrain: service.beginDrain,
    steps: [
      ['service', () => service.stop()],
      ['bus', () => bus.close()],
      ['cache', () => cache.close()],
      ['database', () => db.destroy()],
      ['telemetry', () => telemetry.shutdown()],
    ],
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('catalog failed to start:', err);
  }
  process.exit(1);
});
