import path from 'node:path';
import { DEFAULT_SHARD_COUNT, TEST_CARDS, WAREHOUSE_TABLE_LIST } from '@shop/contracts';
import {
  ConfigError,
  createDb,
  createDevIssuer,
  createDuckDbWarehouse,
  createLogger,
  createRedisCache,
  createTokenVerifier,
  ensureDatabase,
  LocalObjectStore,
  MemoryBus,
  MemoryCache,
  migrate,
  PubSubBus,
  withDatabase,
  type Cache,
  type EventBus,
  type Knex,
  type Logger,
  type Warehouse,
} from '@shop/kit';
import { CATALOG_MIGRATIONS_DIR } from '@shop/catalog';
import { INVENTORY_MIGRATIONS_DIR, ROLES } from '@shop/inventory';
import { ORDERS_MIGRATIONS_DIR, TestPaymentProvider } from '@shop/orders';
import { warehouseAlsoViewed } from '@shop/storefront';
import { startAnalyticsJob } from '@shop/dataflow';
import { duckDbViews } from '@shop/dashboards';
import { renderBanner } from './banner';
import { loadLocalConfig, type LocalConfig } from './config';
import { startHub, type Part } from './hub';
import type { Lifecycle } from './lifecycle';
import { openEmbeddedPostgres } from './postgres';
import { DEMO_SKUS, DEMO_WAREHOUSES, demoStock, seedDemoData } from './seed';
import { seedDemoCatalog } from './seed-catalog';
import { startShop } from './shop';
import { analyticsPage } from './analytics-page';
import { apiCall } from './seed';

/** Audience every service of the platform expects in its tokens. */
export const AUDIENCE = 'shop-platform';
const DATABASES = { inventory: 'inventory', catalog: 'catalog', orders: 'orders' } as const;
const MIGRATIONS: Record<keyof typeof DATABASES, string> = { inventory: INVENTORY_MIGRATIONS_DIR, catalog: CATALOG_MIGRATIONS_DIR, orders: ORDERS_MIGRATIONS_DIR };
const IMPORTS_BUCKET = 'shop-imports';
const ASSETS_BUCKET = 'shop-assets';
const CHECKPOINTS = 'gs://shop-analytics/checkpoints';
const TOKEN_TTL_HOURS = 12;
/** Short locally, so a person trying the shop sees co-views appear within a minute. */
const ALSO_VIEWED_CACHE_SECONDS = 30;
/** Signs the shopper cookies locally; production reads it from Secret Manager. */
const LOCAL_COOKIE_KEY = 'local-storefront-cookie-key-not-a-secret-0123456789';

export interface StartedPlatform {
  banner: string;
}

interface Server {
  url: string;
  shown: string;
  note: string;
  embedded: boolean;
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

async function openPostgres(config: LocalConfig, lifecycle: Lifecycle, logger: Logger, progress: (line: string) => void): Promise<Server> {
  if (config.databaseUrl) {
    return { url: config.databaseUrl, shown: redactPassword(config.databaseUrl), note: 'DATABASE_URL', embedded: false };
  }
  const postgres = await openEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.postgresPort, logger, progress });
  // Registered before start() so a stop during start-up still shuts the server down.
  lifecycle.onStop('postgres', () => postgres.stop());
  await postgres.start();
  return { url: postgres.url, shown: postgres.url, note: `embedded, data in ${postgres.dataDir}, runs as ${postgres.runsAs}`, embedded: true };
}

/** One database per service on the server, created if missing and migrated. */
async function openDatabases(server: Server, lifecycle: Lifecycle, progress: (line: string) => void): Promise<Record<keyof typeof DATABASES, Knex>> {
  const opened = {} as Record<keyof typeof DATABASES, Knex>;
  for (const [service, name] of Object.entries(DATABASES) as Array<[keyof typeof DATABASES, string]>) {
    const url = withDatabase(server.url, name);
    await ensureDatabase(url);
    const db = createDb({ url, applicationName: service });
    lifecycle.onStop(`${service} database pool`, () => db.destroy());
    const applied = await migrate(db, MIGRATIONS[service]);
    if (applied.length) progress(`Applied ${applied.length} ${service} migration(s)`);
    opened[service] = db;
    lifecycle.checkpoint();
  }
  return opened;
}

/** Redis, when REDIS_URL names one, serves every service (with its own key prefix), as Memorystore does. */
async function openCaches(config: LocalConfig, logger: Logger, lifecycle: Lifecycle): Promise<{ cacheOf: (service: string) => Cache; shown: string }> {
  const caches = new Map<string, Cache>();
  const redisUrl = config.redisUrl;
  const make = async (service: string): Promise<Cache> =>
    redisUrl ? createRedisCache({ url: redisUrl, logger, keyPrefix: `${service}:` }) : new MemoryCache({ logger });
  for (const service of ['inventory', 'catalog', 'orders', 'activity', 'storefront']) {
    const cache = await make(service);
    caches.set(service, cache);
    lifecycle.onStop(`${service} cache`, () => cache.close());
  }
  return {
    cacheOf: (service) => {
      const cache = caches.get(service);
      if (!cache) throw new Error(`no cache for ${service}`);
      return cache;
    },
    shown: redisUrl ? redactPassword(redisUrl) : 'in-process (set REDIS_URL for Redis)',
  };
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
 * up: Postgres and a database per service, caches, the bus, the object folder, the DuckDB
 * warehouse and the streaming job on it, the hub (tokens and their keys, analytics), the five
 * services behind one storefront origin; then seeds an empty shop with demo warehouses, stock and catalog.
 */
export async function startPlatform(env: NodeJS.ProcessEnv, lifecycle: Lifecycle, progress: (line: string) => void): Promise<StartedPlatform> {
  const config = await loadLocalConfig(env);
  // Logs go to stderr so stdout carries only progress notes and the banner.
  const logger = createLogger({ service: 'local', level: config.logLevel, destination: process.stderr });
  const host = config.host;
  const url = (port: number) => `http://${host}:${port}`;
  const hubUrl = url(config.ports.hub);

  const server = await openPostgres(config, lifecycle, logger, progress);
  lifecycle.checkpoint();
  const databases = await openDatabases(server, lifecycle, progress);
  const { cacheOf, shown: cacheShown } = await openCaches(config, logger, lifecycle);
  const { bus, shown: busShown } = openBus(config, logger);
  lifecycle.onStop('event bus', () => bus.close());
  const objectsDir = path.join(config.dataDir, 'objects');
  const objects = new LocalObjectStore(objectsDir);

  const warehouseFile = path.join(config.dataDir, 'warehouse', 'analytics.duckdb');
  const warehouse: Warehouse = await createDuckDbWarehouse({ file: warehouseFile, tables: WAREHOUSE_TABLE_LIST, views: duckDbViews() });
  lifecycle.onStop('warehouse', () => warehouse.close());
  // Subscribed before any service publishes, so the in-process bus hands the job every event.
  const job = await startAnalyticsJob({ bus, warehouse, objects, checkpointLocation: CHECKPOINTS, shards: Array.from({ length: DEFAULT_SHARD_COUNT }, (_, n) => n), shardCount: DEFAULT_SHARD_COUNT, logger });
  lifecycle.onStop('analytics job', () => job.stop());
  lifecycle.checkpoint();

  const issuer = await createDevIssuer(`${hubUrl}/`, AUDIENCE);
  const verifyToken = createTokenVerifier({ jwks: `${hubUrl}/.well-known/jwks.json`, issuer: issuer.issuer, audience: AUDIENCE });
  const operatorWarehouse = DEMO_WAREHOUSES[0]?.id ?? '*';
  const { ports } = config;
  const parts: Part[] = [
    { name: 'Storefront', location: `${url(ports.storefront)}/`, note: `shoppers; test cards: ${TEST_CARDS.approved} approved, ${TEST_CARDS.declined} declined` },
    { name: 'Storefront API', location: `${url(ports.storefront)}/api/openapi.json` },
    { name: 'Analytics', location: `${hubUrl}/analytics`, note: `charts of the warehouse views, DuckDB file ${warehouseFile}` },
    { name: 'Hub', location: `${hubUrl}/`, note: 'this list, token keys, development tokens' },
    { name: 'Inventory API', location: `${url(ports.inventory)}/v1`, note: `docs at ${url(ports.inventory)}/docs` },
    { name: 'Catalog API', location: `${url(ports.catalog)}/v1`, note: `docs at ${url(ports.catalog)}/docs` },
    { name: 'Orders API', location: `${url(ports.orders)}/v1`, note: `docs at ${url(ports.orders)}/docs` },
    { name: 'Activity API', location: `${url(ports.activity)}/v1/activity`, note: `docs at ${url(ports.activity)}/docs` },
    { name: 'OpenAPI document', location: `${url(ports.inventory)}/openapi.json`, note: 'inventory; every service serves /openapi.json' },
    { name: 'API docs', location: `${url(ports.inventory)}/docs` },
    { name: 'Inventory readiness', location: `${url(ports.inventory)}/readyz` },
    { name: 'Postgres', location: server.shown, note: `${server.note}; databases ${Object.values(DATABASES).join(', ')}` },
    { name: 'Cache', location: cacheShown },
    { name: 'Events', location: busShown },
    { name: 'Objects', location: objectsDir, note: `stands in for Cloud Storage: buckets ${IMPORTS_BUCKET}, ${ASSETS_BUCKET} (served at /assets), analytics checkpoints` },
    { name: 'Token keys (JWKS)', location: `${hubUrl}/.well-known/jwks.json` },
    { name: 'New tokens', location: `${hubUrl}/dev/token?role=operator&warehouses=${operatorWarehouse}`, note: `roles: ${ROLES.join(', ')}` },
  ];
  const ttlSeconds = TOKEN_TTL_HOURS * 3600;
  const adminToken = await issuer.sign({ subject: 'local-admin', roles: ['admin'], warehouses: ['*'], ttlSeconds });
  const productNames = async (): Promise<Map<string, string>> => {
    const page = (await apiCall({ baseUrl: url(ports.catalog), token: adminToken, method: 'GET', path: '/v1/admin/products?limit=100&deleted=include' })) as { items: Array<{ id: string; name: string }> };
    return new Map(page.items.map((p) => [p.id, p.name]));
  };
  const analytics = analyticsPage({ warehouse, productNames });
  const hub = await onPort('LOCAL_PORT', ports.hub, () => startHub({ host, port: ports.hub, issuer, parts, logger, analytics }));
  lifecycle.onStop('hub', () => hub.close());
  lifecycle.checkpoint();

  const shop = await onPort('a service port (see the README\'s settings)', ports.storefront, () =>
    startShop({
      host,
      ports: { inventory: ports.inventory, catalog: ports.catalog, orders: ports.orders, activity: ports.activity, storefront: 0, edge: ports.storefront },
      databases,
      cache: cacheOf,
      bus,
      objects,
      logger,
      issuer,
      verifyToken,
      cookieKey: LOCAL_COOKIE_KEY,
      payments: new TestPaymentProvider(),
      importsBucket: IMPORTS_BUCKET,
      assetsBucket: ASSETS_BUCKET,
      storefrontSettings: { TEST_PAYMENTS: true },
      alsoViewed: warehouseAlsoViewed({ warehouse, cache: cacheOf('storefront'), logger, ttlSeconds: ALSO_VIEWED_CACHE_SECONDS }),
      onStarted: (name, stop) => lifecycle.onStop(name, stop),
    }),
  );
  lifecycle.checkpoint();

  const operatorToken = await issuer.sign({ subject: `local-operator-${operatorWarehouse}`, roles: ['operator'], warehouses: [operatorWarehouse], ttlSeconds });

  const seedNotes: string[] = [];
  if (config.seed) {
    const stock = await seedDemoData({ inventoryUrl: shop.inventory.url, adminToken, logger });
    seedNotes.push(
      stock.seeded ? `${stock.warehouses} warehouses (${DEMO_WAREHOUSES.map((w) => w.id).join(', ')}) and ${stock.skus} SKUs in ${stock.receipts} receipts` : `stock not seeded: ${stock.reason}`,
    );
    const catalog = await seedDemoCatalog({ catalogUrl: shop.catalog.url, adminToken, objects, imagesBucket: ASSETS_BUCKET, logger });
    seedNotes.push(catalog.seeded ? `${catalog.categories} categories and ${catalog.products} products (${catalog.variants} variants) through the CSV import` : `catalog not seeded: ${catalog.reason}`);
  } else {
    seedNotes.push('seeding is off (LOCAL_SEED=false)');
  }
  const exampleSku = demoStock().find((line) => line.warehouseId === operatorWarehouse)?.sku ?? DEMO_SKUS[0] ?? 'SKU';

  return {
    banner: renderBanner({
      parts,
      operatorToken: { warehouse: operatorWarehouse, token: operatorToken },
      adminToken,
      tokenTtlHours: TOKEN_TTL_HOURS,
      seed: seedNotes.join('; '),
      exampleUrl: `${url(ports.inventory)}/v1/availability?skus=${exampleSku}`,
      ownsPostgres: server.embedded,
    }),
  };
}
