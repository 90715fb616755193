import {
  ConfigError,
  createBigQueryWarehouse,
  createDuckDbWarehouse,
  createLogger,
  createObjectStore,
  createSecretManagerResolver,
  drainOnSignal,
  listen,
  loadConfig,
  PubSubBus,
  startTelemetry,
  type Logger,
  type Warehouse,
} from '@shop/kit';
import { analyticsConfigSchema, jobSettingsOf, type AnalyticsConfig } from './config';
import { startAnalyticsJob } from './runner/job';
import { createStatusApp } from './runner/status-app';

function warehouseOf(config: AnalyticsConfig): Promise<Warehouse> {
  if (config.BIGQUERY_DATASET) {
    return createBigQueryWarehouse({ projectId: config.BIGQUERY_PROJECT_ID ?? config.GOOGLE_CLOUD_PROJECT ?? '', dataset: config.BIGQUERY_DATASET });
  }
  return createDuckDbWarehouse({ file: config.WAREHOUSE_FILE });
}

/** Pub/Sub with the job's flow control; topics and subscriptions are created only on the emulator. */
function busOf(config: AnalyticsConfig, logger: Logger): PubSubBus {
  const projectId = config.PUBSUB_PROJECT_ID ?? config.GOOGLE_CLOUD_PROJECT ?? 'local';
  return new PubSubBus({ projectId, logger, autoCreate: Boolean(config.PUBSUB_EMULATOR_HOST), maxInFlight: config.MAX_IN_FLIGHT });
}

/** Production entry point (one replica per shard on GKE): Pub/Sub, BigQuery, Cloud Storage checkpoints; drains on SIGTERM. */
async function main(): Promise<void> {
  const config = await loadConfig(analyticsConfigSchema, process.env, createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }));
  const telemetry = startTelemetry({ service: config.SERVICE_NAME, exporter: config.OTEL_EXPORTER, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, project: config.GOOGLE_CLOUD_PROJECT });
  const bus = busOf(config, logger);
  const warehouse = await warehouseOf(config);
  const objects = createObjectStore(config.LOCAL_OBJECTS_DIR ? { localRoot: config.LOCAL_OBJECTS_DIR } : { gcs: {} });
  const job = await startAnalyticsJob({
    bus,
    warehouse,
    objects,
    checkpointLocation: config.CHECKPOINT_LOCATION,
    shards: config.SHARD,
    shardCount: config.SHARDS,
    logger,
    settings: jobSettingsOf(config),
  });
  let draining = false;
  const app = createStatusApp(job, { logger, readiness: { pubsub: () => bus.ping(), warehouse: () => warehouse.ping() }, isDraining: () => draining });
  const server = await listen(app, config.PORT, config.HOST);
  logger.info({ url: server.url, shards: config.SHARD, shardCount: config.SHARDS }, 'analytics listening');
  drainOnSignal({
    logger,
    graceMs: config.SHUTDOWN_GRACE_MS,
    beginDrain: () => {
      draining = true;
    },
    steps: [
      ['job', () => job.stop()],
      ['server', () => server.close()],
      ['bus', () => bus.close()],
      ['warehouse', () => warehouse.close()],
      ['telemetry', () => telemetry.shutdown()],
    ],
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error('analytics failed to start:', err);
  process.exit(1);
});
