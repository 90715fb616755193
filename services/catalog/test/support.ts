import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { INVENTORY_SOURCE, TOPICS, toAttributes, type StockLevelSnapshot } from '@shop/contracts';
import {
  createDevIssuer,
  createLogger,
  createTestDatabase,
  createTokenVerifier,
  LocalObjectStore,
  MemoryBus,
  MemoryCache,
  type Cache,
  type DevIssuer,
  type EventBus,
  type Logger,
  type TestDatabase,
} from '@shop/kit';
import { CATALOG_MIGRATIONS_DIR } from '../src/app';
import { startCatalogService, type RunningCatalog } from '../src/service';
import { client, type Client, type Reply } from '../../kit/test-support/api-client';

export const ISSUER = 'https://identity.test/';
export const AUDIENCE = 'catalog';

export { client, type Client, type Reply };


export interface Harness {
  database: TestDatabase;
  issuer: DevIssuer;
  service: RunningCatalog;
  bus: EventBus;
  url: string;
  /** Calls without a token, as the storefront and orders do. */
  public: Client;
  /** Calls with a token holding these roles. */
  as(roles: string[]): Client;
  admin: Client;
  close(): Promise<void>;
}

export interface HarnessOptions {
  cache?: Cache;
  bus?: EventBus;
  assetsBaseUrl?: string;
  cacheTtl?: { productSeconds?: number; listingSeconds?: number };
}

export const testLogger = (): Logger => createLogger({ service: 'catalog-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The catalog service as it runs in production (relay, projections, import runner) on a throwaway database. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase(CATALOG_MIGRATIONS_DIR, 'catalog');
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const logger = testLogger();
  const bus = options.bus ?? new MemoryBus({ logger });
  const objects = new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'catalog-objects-')));
  const service = await startCatalogService(
    {
      db: database.db,
      cache: options.cache ?? new MemoryCache({ logger }),
      bus,
      logger,
      verifyToken: createTokenVerifier({ jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE }),
      objects,
      importsBucket: 'catalog-imports-test',
      assetsBaseUrl: options.assetsBaseUrl ?? 'https://shop.test/assets',
      ...(options.cacheTtl ? { cacheTtl: options.cacheTtl } : {}),
    },
    { port: 0, host: '127.0.0.1' },
  );
  const tokens = new Map<string, Promise<string>>();
  const as = (roles: string[]): Client => {
    const key = roles.join(',');
    if (!tokens.has(key)) tokens.set(key, issuer.sign({ subject: `${roles.join('+') || 'nobody'}@test`, roles, warehouses: ['*'] }));
    return client(service.url, tokens.get(key)!);
  };
  return {
    database,
    issuer,
    service,
    bus,
    url: service.url,
    public: client(service.url, null),
    as,
    admin: as(['admin']),
    close: async () => {
      await service.stop();
      if (!options.bus) await bus.close();
      await database.drop();
    },
  };
}

export interface ProductBody {
  slug: string;
  name: string;
  currency?: string;
  status?: string;
  categoryId?: string | null;
  description?: string;
  images?: Array<{ uri: string; alt: string }>;
  variants: Array<{ sku: string; priceMinor: number; options?: Record<string, string> }>;
}

export interface AdminProduct {
  id: string;
  slug: string;
  name: string;
  status: string;
  version: number;
  deletedAt: string | null;
  categoryId: string | null;
  variants: Array<{ sku: string; priceMinor: number; available: number; inStock: boolean }>;
}

/** Creates a product through the admin API (active unless said otherwise). */
export async function createProduct(h: Harness, body: ProductBody): Promise<AdminProduct> {
  const r = await h.admin.post<AdminProduct>('/v1/admin/products', { currency: 'EUR', status: 'active', ...body });
  if (r.status !== 201) throw new Error(`create product ${body.slug}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function createCategory(h: Harness, slug: string, name: string, parentId: string | null = null, position = 0): Promise<{ id: string; slug: string }> {
  const r = await h.admin.post<{ id: string; slug: string }>('/v1/admin/categories', { slug, name, parentId, position });
  if (r.status !== 201) throw new Error(`create category ${slug}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const level = (available: number): StockLevelSnapshot => ({ onHand: available, reserved: 0, committed: 0, safetyStock: 0, available, incoming: 0, damaged: 0, qualityHold: 0 });

/** Publishes an inventory event as the inventory service's relay does: CloudEvent attributes, ordering key = SKU. */
export async function publishStockLevel(bus: EventBus, sku: string, warehouseId: string, available: number, time = new Date().toISOString()): Promise<string> {
  const id = randomUUID();
  const data = {
    movementId: randomUUID(),
    warehouseId,
    sku,
    delta: { onHand: available, reserved: 0, committed: 0, incoming: 0, damaged: 0, qualityHold: 0 },
    level: level(available),
    reason: null,
    reference: null,
    reservationId: null,
    transferId: null,
    actor: 'test',
    reorderPoint: null,
  };
  const attributes = toAttributes({ id, type: 'inventory.stock_counted', source: INVENTORY_SOURCE, subject: sku, time, data });
  await bus.publish(TOPICS.inventory, [{ data: Buffer.from(JSON.stringify(data)), attributes, orderingKey: sku }]);
  return id;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Resolves once the catalog has processed the event (the consumer records it with its effects). */
export async function eventProcessed(h: Harness, eventId: string): Promise<void> {
  await waitFor(`event ${eventId} processed`, async () => Boolean(await h.database.db('processed_events').where({ event_id: eventId }).first()));
}
