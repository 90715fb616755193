import {
  ConfigError,
  CookieSigner,
  createLogger,
  createSecretManagerResolver,
  drainOnSignal,
  loadConfig,
  openBus,
  openCache,
  startTelemetry,
  tokenVerifierFrom,
} from '@shop/kit';
import { activityConfigSchema } from './config';
import { startActivityService } from './service';

/** Production entry point: real adapters from the environment, drain on SIGTERM. */
async function main(): Promise<void> {
  const config = await loadConfig(activityConfigSchema, process.env, createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }));
  const telemetry = startTelemetry({ service: config.SERVICE_NAME, exporter: config.OTEL_EXPORTER, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, project: config.GOOGLE_CLOUD_PROJECT });
  const cache = await openCache(config, logger);
  const bus = openBus(config, logger);
  const service = await startActivityService(
    {
      bus,
      cache,
      logger,
      verifyToken: tokenVerifierFrom(config),
      cookies: new CookieSigner(config.STOREFRONT_COOKIE_KEY),
      secureCookies: config.NODE_ENV === 'production',
      beaconRateLimit: config.BEACON_RATE_LIMIT,
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
      ['telemetry', () => telemetry.shutdown()],
    ],
  });
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError ? err.message : `activity failed to start: ${String(err)}`);
  process.exit(1);
});
