import { ConfigError, CookieSigner, createLogger, createSecretManagerResolver, drainOnSignal, googleIdTokenCredentials, loadConfig, openCache, startTelemetry } from '@shop/kit';
import { createCallees } from './callees/index';
import { storefrontConfigSchema, storefrontSettingsSchema } from './config';
import { startStorefront } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
async function main(): Promise<void> {
  const config = await loadConfig(storefrontConfigSchema, process.env, createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }));
  const telemetry = startTelemetry({ service: config.SERVICE_NAME, exporter: config.OTEL_EXPORTER, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, project: config.GOOGLE_CLOUD_PROJECT });
  const cache = await openCache(config, logger);
  const callees = createCallees({
    catalogUrl: config.CATALOG_URL,
    inventoryUrl: config.INVENTORY_URL,
    ordersUrl: config.ORDERS_URL,
    activityUrl: config.ACTIVITY_URL,
    credentials: googleIdTokenCredentials(),
    timeoutMs: config.CALL_TIMEOUT_MS,
    checkoutTimeoutMs: config.CHECKOUT_TIMEOUT_MS,
  });

  const service = await startStorefront(
    {
      logger,
      cache,
      cookies: new CookieSigner(config.STOREFRONT_COOKIE_KEY),
      callees,
      settings: storefrontSettingsSchema.parse(config),
      bodyLimit: config.BODY_LIMIT,
      activityQueue: { batchSize: config.ACTIVITY_BATCH_SIZE, flushIntervalMs: config.ACTIVITY_FLUSH_MS, maxQueued: config.ACTIVITY_QUEUE_MAX },
    },
    { port: config.PORT, host: config.HOST },
  );
  drainOnSignal({
    logger,
    graceMs: config.SHUTDOWN_GRACE_MS,
    beginDrain: service.beginDrain,
    steps: [
      ['service', () => service.stop()],
      ['cache', () => cache.close()],
      ['telemetry', () => telemetry.shutdown()],
    ],
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('storefront failed to start:', err);
  }
  process.exit(1);
});
