import type { z } from 'zod';
import { ConfigError, loadConfig, type BaseConfig } from './config';
import { createDb, migrate, type Knex } from './db/index';
import { drainOnSignal } from './http/server';
import { createLogger, type Logger } from './logger';
import { createSecretManagerResolver } from './secrets';
import { startTelemetry } from './telemetry';
import { openBus, openCache } from './settings';
import type { Cache } from './cache/types';
import type { EventBus } from './events/types';

/** What a service's start function gets from bootService. */
export interface Boot<C> {
  config: C;
  logger: Logger;
  /** Registers what to close after the service has stopped; closed newest first. */
  onClose(name: string, close: () => Promise<void>): void;
}

/** A started service as bootService drains it: readiness first, then stop. */
export interface StartedService {
  beginDrain(): void;
  stop(): Promise<void>;
}

/**
 * The one way a deployable starts in production: settings from the environment (with `sm://`
 * values from Secret Manager) validated against its schema, telemetry, Cloud Logging JSON logs,
 * then `start`; on SIGTERM readiness turns 503, the grace period passes, the service stops and what
 * it opened closes in reverse order. A bad setting ends the process with a message naming it.
 */
export function bootService<S extends z.ZodType<BaseConfig>>(name: string, schema: S, start: (boot: Boot<z.infer<S>>) => Promise<StartedService>): void {
  const run = async (): Promise<void> => {
    const config = await loadConfig(schema, process.env, createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }));
    const telemetry = startTelemetry({ service: config.SERVICE_NAME, exporter: config.OTEL_EXPORTER, endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
    const logger = createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, project: config.GOOGLE_CLOUD_PROJECT });
    const closers: Array<[string, () => Promise<void>]> = [];
    const service = await start({ config, logger, onClose: (step, close) => closers.unshift([step, close]) });
    drainOnSignal({
      logger,
      graceMs: config.SHUTDOWN_GRACE_MS,
      beginDrain: () => service.beginDrain(),
      steps: [['service', () => service.stop()], ...closers, ['telemetry', () => telemetry.shutdown()]],
    });
  };
  run().catch((err: unknown) => {
    console.error(err instanceof ConfigError ? err.message : `${name} failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  });
}

type DatabaseConfig = { SERVICE_NAME: string; DATABASE_URL: string; DATABASE_POOL_MAX: number; MIGRATE_ON_START: boolean };

/** The service's database pool (closed on shutdown), migrated first when MIGRATE_ON_START says so. */
export async function databaseFor(boot: Boot<DatabaseConfig>, migrationsDir: string): Promise<Knex> {
  const { config, logger } = boot;
  const db = createDb({ url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, applicationName: config.SERVICE_NAME });
  boot.onClose('database', () => db.destroy());
  if (config.MIGRATE_ON_START) {
    const applied = await migrate(db, migrationsDir);
    logger.info({ applied }, 'migrations applied');
  }
  return db;
}

/** The cache its settings select (closed on shutdown). */
export async function cacheFor(boot: Boot<Parameters<typeof openCache>[0]>): Promise<Cache> {
  const cache = await openCache(boot.config, boot.logger);
  boot.onClose('cache', () => cache.close());
  return cache;
}

/** The event bus its settings select (closed on shutdown, after the service). */
export function busFor(boot: Boot<Parameters<typeof openBus>[0]>): EventBus {
  const bus = openBus(boot.config, boot.logger);
  boot.onClose('bus', () => bus.close());
  return bus;
}
