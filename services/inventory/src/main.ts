import {
  ConfigError,
  createDb,
  createLogger,
  createObjectStore,
  createRedisCache,
  createSecretManagerResolver,
  createTokenVerifier,
  drainOnSignal,
  loadConfig,
  MemoryBus,
  MemoryCache,
  migrate,
  PubSubBus,
  startTelemetry,
} from '@shop/kit';
import { INVENTORY_MIGRATIONS_DIR } from './app';
import { inventoryConfigSchema } from './config';
import { startInventoryService } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
async function main(): Promise<void> {
  const config = await loadConfig(inventoryConfigSchema, process.env, createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }));
  const telemetry = startTelemetry({ service: config.SERVICE_NAME, exporter: config.OTEL_EXPORTER, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, project: config.GOOGLE_CLOUD_PROJECT });
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: config.SERVICE_NAME });
  if (config.MIGRATE_ON_START) {
    const applied = await migrate(db, INVENTORY_MIGRATIONS_DIR);
    logger.info({ applied }, 'migrations applied');
  }
  const cache = config.REDIS_URL ? await createRedisCache({ url: config.REDIS_URL, caCert: config.REDIS_CA_CERT, logger }) : new MemoryCache();
  const pubsubProject = config.PUBSUB_PROJECT_ID ?? config.GOOGLE_CLOUD_PROJECT;
  const bus = pubsubProject || config.PUBSUB_EMULATOR_HOST
    ? new PubSubBus({ projectId: pubsubProject ?? 'local', autoCreate: Boolean(config.PUBSUB_EMULATOR_HOST) })
    : new MemoryBus();
  const objects = createObjectStore(config.LOCAL_OBJECTS_DIR ? { localRoot: config.LOCAL_OBJECTS_DIR } : { gcs: {} });
  const verifyToken = createTokenVerifier({ jwks: config.JWKS_URL, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });

  const service = await startInventoryService(
    { db, cache, bus, logger, verifyToken, objects, importsBucket: config.IMPORTS_BUCKET, bodyLimit: config.BODY_LIMIT },
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
    console.error('inventory failed to start:', err);
  }
  process.exit(1);
});
