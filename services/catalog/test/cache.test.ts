import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { productDetailSchema, productPageSchema } from '@shop/contracts';
import {
  createDevIssuer,
  createRedisCache,
  createTestDatabase,
  createTokenVerifier,
  LocalObjectStore,
  MemoryCache,
  PubSubBus,
  type RedisCache,
  type TestDatabase,
} from '@shop/kit';
import { INVENTORY_MIGRATIONS_DIR, startInventoryService, type RunningInventory } from '@shop/inventory';
import { productKeys } from '../src/cache/read-cache';
import { client, createProduct, startHarness, testLogger, waitFor, type Client, type Harness } from './support';

// No GCE metadata server here; without this the client library probes for one.
process.env.METADATA_SERVER_DETECTION ??= 'none';

const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const logger = testLogger();
let bus: PubSubBus;
let redis: RedisCache;
let h: Harness;
let inventoryDb: TestDatabase;
let inventory: RunningInventory;
let operator: Client;

beforeAll(async () => {
  // A Pub/Sub project and a key prefix of this file's own on the shared emulator and Redis.
  bus = new PubSubBus({ projectId: `catalog-cache-${suffix}`, logger, autoCreate: true });
  redis = await createRedisCache({ url: 'redis://127.0.0.1:6379', logger, keyPrefix: `catalog-cache-test-${suffix}:` });
  h = await startHarness({ cache: redis, bus });
  inventoryDb = await createTestDatabase(INVENTORY_MIGRATIONS_DIR, 'catalog_inv');
  const issuer = await createDevIssuer('https://identity.test/', 'inventory');
  inventory = await startInventoryService(
    {
      db: inventoryDb.db,
      cache: new MemoryCache({ logger }),
      bus,
      logger,
      verifyToken: createTokenVerifier({ jwks: issuer.jwks, issuer: issuer.issuer, audience: issuer.audience }),
      objects: new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'catalog-inv-'))),
      importsBucket: 'inv-test',
    },
    { port: 0, host: '127.0.0.1' },
  );
  const admin = client(inventory.url, await issuer.sign({ subject: 'admin@test', roles: ['admin'], warehouses: ['*'] }));
  expect((await admin.post('/v1/warehouses', { id: 'berlin', name: 'Berlin', priority: 1 })).status).toBe(201);
  operator = client(inventory.url, await issuer.sign({ subject: 'operator@test', roles: ['operator'], warehouses: ['*'] }));
}, 60_000);

afterAll(async () => {
  await inventory.stop();
  await h.close();
  await bus.close();
  await redis.close();
  await inventoryDb.drop();
});

const detail = async (ref: string) => productDetailSchema.parse((await h.public.get(`/v1/products/${ref}`)).body);
const listing = async (query: string) => productPageSchema.parse((await h.public.get(`/v1/products?${query}`)).body);

/** A GET with If-None-Match; through node:http, since fetch adds Cache-Control: no-cache to conditional requests. */
function conditionalGet(path: string, etag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(`${h.url}${path}`, { headers: { 'if-none-match': etag } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

/** Event ids inventory wrote for a SKU; the catalog has seen a stock change once it processed all of them. */
async function inventoryEventsProcessed(sku: string): Promise<void> {
  const ids = ((await inventoryDb.db('outbox').select('id').where({ subject: sku })) as Array<{ id: string }>).map((r) => r.id);
  expect(ids.length).toBeGreaterThan(0);
  await waitFor(
    `catalog processed ${ids.length} inventory events of ${sku}`,
    async () => Number(((await h.database.db('processed_events').whereIn('event_id', ids).count('* as n').first()) as { n: string }).n) === ids.length,
    30_000,
  );
}

it('serves product pages from Redis, and a product update is visible on the very next read', async () => {
  const p = await createProduct(h, { slug: 'cached-hoodie', name: 'Cached Hoodie', variants: [{ sku: 'CACHE-1', priceMinor: 5000 }] });
  expect((await detail('cached-hoodie')).name).toBe('Cached Hoodie');
  await waitFor('page cached', async () => (await redis.get(productKeys.slug('cached-hoodie'))) !== null && (await redis.get(productKeys.id(p.id))) !== null);
  // Stored as the page is sent: its ETag, a newline, its JSON.
  const [etag, json] = (await redis.get(productKeys.id(p.id)))!.split(/\n(.*)/s) as [string, string];
  expect(JSON.parse(json)).toMatchObject({ id: p.id, name: 'Cached Hoodie' });
  expect(await conditionalGet('/v1/products/cached-hoodie', etag)).toBe(304);
  expect((await h.public.get('/v1/products/cached-hoodie')).headers.get('etag')).toBe(etag);
  expect((await listing('q=cached')).items[0]?.name).toBe('Cached Hoodie');

  // A change behind the API's back shows the page really comes from the cache...
  await h.database.db('products').where({ id: p.id }).update({ name: 'Changed Behind Its Back' });
  expect((await detail(p.id)).name).toBe('Cached Hoodie');
  expect((await listing('q=cached')).items[0]?.name).toBe('Cached Hoodie');

  // ...and a change through the API is on the next read, by id, by slug and in listings.
  expect((await h.admin.patch(`/v1/admin/products/${p.id}`, { name: 'Cosy Hoodie', variants: [{ sku: 'CACHE-1', priceMinor: 4500 }] })).status).toBe(200);
  expect(await detail(p.id)).toMatchObject({ name: 'Cosy Hoodie', priceMinor: 4500, version: 2 });
  expect((await detail('cached-hoodie')).name).toBe('Cosy Hoodie');
  expect(await conditionalGet('/v1/products/cached-hoodie', etag)).toBe(200);
  expect((await listing('q=cosy')).items.map((i) => i.name)).toEqual(['Cosy Hoodie']);

  // A new slug is served at once and the old one is gone.
  expect((await h.admin.patch(`/v1/admin/products/${p.id}`, { slug: 'cosy-hoodie' })).status).toBe(200);
  expect((await h.public.get('/v1/products/cached-hoodie')).status).toBe(404);
  expect((await detail('cosy-hoodie')).slug).toBe('cosy-hoodie');
});

it('a stock change made in inventory reaches the catalog through Pub/Sub and is on the next read after the event arrives', async () => {
  await createProduct(h, { slug: 'stocked-tee', name: 'Stocked Tee', variants: [{ sku: 'STOCK-TEE-M', priceMinor: 2000 }] });
  expect((await detail('stocked-tee')).variants[0]).toMatchObject({ available: 0, inStock: false });
  expect((await listing('inStock=true&limit=100')).items.map((i) => i.slug)).not.toContain('stocked-tee');
  await waitFor('page cached', async () => (await redis.get(productKeys.slug('stocked-tee'))) !== null);

  expect((await operator.post('/v1/stock/receive', { warehouseId: 'berlin', sku: 'STOCK-TEE-M', quantity: 7 })).status).toBe(201);
  await inventoryEventsProcessed('STOCK-TEE-M');
  expect(await detail('stocked-tee')).toMatchObject({ inStock: true, variants: [{ sku: 'STOCK-TEE-M', available: 7, inStock: true }] });
  expect((await listing('inStock=true&limit=100')).items.map((i) => i.slug)).toContain('stocked-tee');

  // Units moved to damaged are no longer sellable, and the product drops out of in-stock listings.
  expect((await operator.post('/v1/stock/move', { warehouseId: 'berlin', sku: 'STOCK-TEE-M', from: 'on_hand', to: 'damaged', quantity: 7 })).status).toBe(201);
  await inventoryEventsProcessed('STOCK-TEE-M');
  expect(await detail('stocked-tee')).toMatchObject({ inStock: false, variants: [{ available: 0, inStock: false }] });
  expect((await listing('inStock=true&limit=100')).items.map((i) => i.slug)).not.toContain('stocked-tee');
});
