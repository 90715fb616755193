import path from 'node:path';
import {
  ConfigError,
  createDb,
  createDevIssuer,
  createLogger,
  createRedisCache,
  createTokenVerifier,
  ensureDatabase,
  LocalObjectStore,
  MemoryBus,
  MemoryCache,
  migrate,
  PubSubBus,
  type Cache,
  type EventBus,
  type Logger,
} from '@shop/kit';
import { INVENTORY_MIGRATIONS_DIR, ROLES, startInventoryService } from '@shop/inventory';
import { renderBanner } from './banner';
import { loadLocalConfig, type LocalConfig } from './config';
import { startHub, type Part } from './hub';
import type { Lifecycle } from './lifecycle';
import { openEmbeddedPostgres } from './postgres';
import { DEMO_SKUS, DEMO_WAREHOUSES, demoStock, seedDemoData } from './seed';

/** Audience every service of the platform expects in its tokens. */
export const AUDIENCE = 'shop-platform';
const INVENTORY_DATABASE = 'inventory';
const IMPORTS_BUCKET = 'shop-imports';
const TOKEN_TTL_HOURS = 12;

export interface StartedPlatform {
  banner: string;
}

interface Database {
  url: string;
  shown: string;
  note: string;
  embedded: boolean;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Hides the password of a URL someone else supplied; the embedded server's is a fixed local one. */
function redactPassword(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Binding errors name the setting that chose the port. */
async function onPort<T>(setting: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new ConfigError([`${setting}: 127.0.0.1:${port} is already in use; stop what holds it or choose another port`]);
    }
    throw err;
  }
}

async function openDatabase(config: LocalConfig, lifecycle: Lifecycle, logger: Logger, progress: (line: string) => void): Promise<Database> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, shown: redactPassword(config.databaseUrl), note: 'DATABASE_URL', embedded: false };
  }
  const postgres = await openEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.postgresPort, logger, progress });
  // Registered before start() so a stop during start-up still shuts the server down.
  lifecycle.onStop('postgres', () => postgres.stop());
  await postgres.start();
  const url = withDatabase(postgres.url, INVENTORY_DATABASE);
  return { url, shown: url, note: `embedded, data in ${postgres.dataDir}, runs as ${postgres.runsAs}`, embedded: true };
}

async function openCache(config: LocalConfig, logger: Logger): Promise<{ cache: Cache; shown: string }> {
  if (config.redisUrl) return { cache: await createRedisCache({ url: config.redisUrl, logger }), shown: redactPassword(config.redisUrl) };
  return { cache: new MemoryCache({ logger }), shown: 'in-process (set REDIS_URL for Redis)' };
}

function openBus(config: LocalConfig, logger: Logger): { bus: EventBus; shown: string } {
  if (config.pubsubEmulatorHost) {
    return {
      bus: new PubSubBus({ projectId: config.projectId, logger, autoCreate: true }),
      shown: `Pub/Sub emulator at ${config.pubsubEmulatorHost}, project ${config.projectId}`,
    };
  }
  return { bus: new MemoryBus({ logger }), shown: 'in-process (set PUBSUB_EMULATOR_HOST for the Pub/Sub emulator)' };
}

/**
 * Starts every part of the platform in this process, registering each one's stop step as it comes
 * up: Postgres, the inventory database, cache, bus, object store, the hub (tokens and their keys)
 * and the inventory service; then seeds demo data into an empty inventory.
 */
export async function startPlatform(env: NodeJS.ProcessEnv, lifecycle: Lifecycle, progress: (line: string) => void): Promise<StartedPlatform> {
  const config = await loadLocalConfig(env);
  // Logs go to stderr so stdout carries only progress notes and the banner.
  const logger = createLogger({ service: 'local', level: config.logLevel, destination: process.stderr });
  const hubUrl = `http://${config.host}:${config.hubPort}`;
  const inventoryUrl = `http://${config.host}:${config.inventoryPort}`;

  const database = await openDatabase(config, lifecycle, logger, progress);
  lifecycle.checkpoint();
  await ensureDatabase(database.url);
  const db = createDb({ url: database.url, applicationName: INVENTORY_DATABASE });
  lifecycle.onStop('inventory database pool', () => db.destroy());
  const applied = await migrate(db, INVENTORY_MIGRATIONS_DIR);
  if (applied.length) progress(`Applied ${applied.length} inventory migration(s)`);
  lifecycle.checkpoint();

  const { cache, shown: cacheShown } = await openCache(config, logger);
  lifecycle.onStop('cache', () => cache.close());
  const { bus, shown: busShown } = openBus(config, logger);
  lifecycle.onStop('event bus', () => bus.close());
  const objectsDir = path.join(config.dataDir, 'objects');
  const objects = new LocalObjectStore(objectsDir);

  const issuer = await createDevIssuer(`${hubUrl}/`, AUDIENCE);
  const operatorWarehouse = DEMO_WAREHOUSES[0]?.id ?? '*';
  const parts: Part[] = [
    { name: 'Hub', location: `${hubUrl}/`, note: 'this list, token keys, development tokens' },
    { name: 'Inventory API', location: `${inventoryUrl}/v1` },
    { name: 'OpenAPI document', location: `${inventoryUrl}/openapi.json` },
    { name: 'API docs', location: `${inventoryUrl}/docs` },
    { name: 'Inventory readiness', location: `${inventoryUrl}/readyz` },
    { name: 'Postgres', location: database.shown, note: database.note },
    { name: 'Cache', location: cacheShown },
    { name: 'Events', location: busShown },
    { name: 'Objects', location: objectsDir, note: `stands in for Cloud Storage; imports bucket ${IMPORTS_BUCKET}` },
    { name: 'Token keys (JWKS)', location: `${hubUrl}/.well-known/jwks.json` },
    { name: 'New tokens', location: `${hubUrl}/dev/token?role=operator&warehouses=${operatorWarehouse}`, note: `roles: ${ROLES.join(', ')}` },
  ];
  const hub = await onPort('LOCAL_PORT', config.hubPort, () => startHub({ host: config.host, port: config.hubPort, issuer, parts, logger }));
  lifecycle.onStop('hub', () => hub.close());
  lifecycle.checkpoint();

  const verifyToken = createTokenVerifier({ jwks: `${hub.url}/.well-known/jwks.json`, issuer: issuer.issuer, audience: AUDIENCE });
  const inventory = await onPort('INVENTORY_PORT', config.inventoryPort, () =>
    startInventoryService({ db, cache, bus, logger, verifyToken, objects, importsBucket: IMPORTS_BUCKET }, { port: config.inventoryPort, host: config.host }),
  );
  lifecycle.onStop('inventory service', () => inventory.stop());
  lifecycle.checkpoint();

  const ttlSeconds = TOKEN_TTL_HOURS * 3600;
  const adminToken = await issuer.sign({ subject: 'local-admin', roles: ['admin'], warehouses: ['*'], ttlSeconds });
  const operatorToken = await issuer.sign({ subject: `local-operator-${operatorWarehouse}`, roles: ['operator'], warehouses: [operatorWarehouse], ttlSeconds });

  let seedNote = 'seeding is off (LOCAL_SEED=false)';
  if (config.seed) {
    const outcome = await seedDemoData({ inventoryUrl, adminToken, logger });
    seedNote = outcome.seeded
      ? `seeded ${outcome.warehouses} warehouses (${DEMO_WAREHOUSES.map((w) => w.id).join(', ')}) and ${outcome.skus} SKUs in ${outcome.receipts} receipts`
      : `not seeded: ${outcome.reason}`;
  }
  const exampleSku = demoStock().find((line) => line.warehouseId === operatorWarehouse)?.sku ?? DEMO_SKUS[0] ?? 'SKU';

  return {
    banner: renderBanner({
      parts,
      operatorToken: { warehouse: operatorWarehouse, token: operatorToken },
      adminToken,
      tokenTtlHours: TOKEN_TTL_HOURS,
      seed: seedNote,
      exampleUrl: `${inventoryUrl}/v1/availability?skus=${exampleSku}`,
      ownsPostgres: database.embedded,
    }),
  };
}
