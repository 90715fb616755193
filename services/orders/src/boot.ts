import {
  ConfigError,
  createDb,
  createLogger,
  createSecretManagerResolver,
  drainOnSignal,
  loadConfig,
  migrate,
  openBus,
  openCache,
  startTelemetry,
  tokenVerifierFrom,
  type ServiceCredentials,
} from '@shop/kit';
import { ORDERS_MIGRATIONS_DIR } from './migrations-dir';
import { ordersConfigSchema, settingsFrom, type OrdersConfig } from './config';
import { openPaymentProvider } from './payments/index';
import { startOrdersService } from './service';

/**
 * Starts the orders service from the environment with real adapters and drains it on SIGTERM;
 * `credentials` is how this workload proves who it is to inventory.
 */
export async function bootOrders(credentials: (config: OrdersConfig) => ServiceCredentials): Promise<void> {
  const config = await loadConfig(ordersConfigSchema, process.env, createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }));
  const telemetry = startTelemetry({ service: config.SERVICE_NAME, exporter: config.OTEL_EXPORTER, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, project: config.GOOGLE_CLOUD_PROJECT });
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: config.SERVICE_NAME });
  if (config.MIGRATE_ON_START) {
    const applied = await migrate(db, ORDERS_MIGRATIONS_DIR);
    logger.info({ applied }, 'migrations applied');
  }
  const cache = await openCache(config, logger);
  const bus = openBus(config, logger);

  const service = await startOrdersService(
    {
      db,
      cache,
      bus,
      logger,
      verifyToken: tokenVerifierFrom(config),
      catalogUrl: config.CATALOG_URL,
      inventoryUrl: config.INVENTORY_URL,
      credentials: credentials(config),
      payments: openPaymentProvider(config),
      settings: settingsFrom(config),
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

/** Reports a start-up failure (a bad setting by name) and exits. */
export function failedToStart(err: unknown): never {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('orders failed to start:', err);
  process.exit(1);
}
