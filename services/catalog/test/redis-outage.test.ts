import { productDetailSchema, productPageSchema } from '@shop/contracts';
import { createRedisCache, type RedisCache } from '@shop/kit';
import { freePort, PrivateRedis } from '../../kit/test-support/private-redis';
import { productKeys } from '../src/cache/read-cache';
import { createCategory, createProduct, eventProcessed, publishStockLevel, startHarness, testLogger, waitFor, type Harness } from './support';

let redis: PrivateRedis;
let cache: RedisCache;
let h: Harness;

beforeAll(async () => {
  redis = new PrivateRedis(await freePort());
  await redis.start();
  cache = await createRedisCache({ url: redis.url, logger: testLogger(), keyPrefix: 'catalog-outage:' });
  h = await startHarness({ cache });
});

afterAll(async () => {
  await h.close();
  await cache.close();
  await redis.kill();
});

const detail = async (ref: string) => {
  const r = await h.public.get(`/v1/products/${ref}`);
  expect(r.status).toBe(200);
  return productDetailSchema.parse(r.body);
};
const listing = async (query: string) => {
  const r = await h.public.get(`/v1/products?${query}`);
  expect(r.status).toBe(200);
  return productPageSchema.parse(r.body);
};

it('serves every read from Postgres and takes every write while Redis is down, and caches again once it is back', async () => {
  const category = await createCategory(h, 'lamps', 'Lamps');
  const p = await createProduct(h, { slug: 'desk-lamp', name: 'Desk Lamp', categoryId: category.id, variants: [{ sku: 'LAMP-1', priceMinor: 3500 }] });
  expect((await detail('desk-lamp')).name).toBe('Desk Lamp');
  await waitFor('page cached', async () => (await cache.get(productKeys.slug('desk-lamp'))) !== null);

  await redis.kill();
  await waitFor('cache seen down', () => !cache.isAvailable());

  // Reads: product pages, listings, search, categories.
  expect(await detail(p.id)).toMatchObject({ name: 'Desk Lamp', inStock: false });
  expect((await listing('q=desk')).items.map((i) => i.slug)).toEqual(['desk-lamp']);
  expect((await h.public.get('/v1/categories')).status).toBe(200);

  // Writes: update, create, stock events; each is on the next read.
  const updated = await h.admin.patch(`/v1/admin/products/${p.id}`, { name: 'Reading Lamp' });
  expect(updated.status).toBe(200);
  expect((await detail('desk-lamp')).name).toBe('Reading Lamp');
  expect((await createProduct(h, { slug: 'floor-lamp', name: 'Floor Lamp', categoryId: category.id, variants: [{ sku: 'LAMP-2', priceMinor: 9000 }] })).version).toBe(1);
  expect((await listing('category=lamps&sort=name')).items.map((i) => i.name)).toEqual(['Floor Lamp', 'Reading Lamp']);
  await eventProcessed(h, await publishStockLevel(h.bus, 'LAMP-1', 'berlin', 4));
  expect((await detail('desk-lamp')).variants[0]).toMatchObject({ available: 4, inStock: true });
  expect((await h.admin.delete(`/v1/admin/products/${p.id}`)).status).toBe(200);
  expect((await h.public.get('/v1/products/desk-lamp')).status).toBe(404);

  await redis.start();
  await waitFor('cache back', () => cache.isAvailable(), 15_000);
  // Invalidations owed from the outage are delivered first; then pages are cached again.
  await waitFor('pages cached again', async () => {
    await detail('floor-lamp');
    return (await cache.get(productKeys.slug('floor-lamp'))) !== null;
  });
  expect((await h.public.get('/v1/products/desk-lamp')).status).toBe(404);
  expect((await listing('category=lamps')).items.map((i) => i.slug)).toEqual(['floor-lamp']);
}, 60_000);
