import { randomUUID } from 'node:crypto';
import { createLogger, createRedisCache, type RedisCache } from '@shop/kit';
import { seedShop, startShop, type Shop } from './support/shop';
import { Visitor } from './support/visitor';

let shop: Shop;
let redis: RedisCache;

beforeAll(async () => {
  // The shared Redis, with keys of this file's own so no other test's counters meet these.
  redis = await createRedisCache({ url: 'redis://127.0.0.1:6379', keyPrefix: `storefront-rate-${randomUUID()}:`, logger: createLogger({ service: 'storefront-test', level: 'silent' }) });
  shop = await startShop({ name: 'ratelimit', cache: redis, settings: { API_RATE_LIMIT: 5, MUTATION_RATE_LIMIT: 3, LIVE_RATE_LIMIT: 2, RATE_LIMIT_WINDOW_SECONDS: 3600 } });
  await seedShop(shop);
});

afterAll(async () => {
  await shop.close();
  await redis.close();
});

/** A shopper behind the load balancer: the storefront sees `<client>, <load balancer>` in X-Forwarded-For. */
const fromClient = (address: string, spoofed?: string) => new Visitor(shop.storefrontUrl, { 'x-forwarded-for': [spoofed, address, '10.0.0.1'].filter(Boolean).join(', ') });

it('limits the JSON API per client with 429, Retry-After and a problem document', async () => {
  const client = fromClient('203.0.113.10');
  for (let i = 0; i < 5; i++) {
    // A private answer shows the client its remaining count (cacheable ones leave it out).
    const ok = await client.api('GET', '/api/v1/cart');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-remaining')).toBe(String(4 - i));
  }
  const refused = await client.api('GET', '/api/v1/products');
  expect(refused.status).toBe(429);
  const retryAfter = Number(refused.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  expect(refused.headers.get('content-type')).toContain('application/problem+json');
  expect(refused.json).toMatchObject({ status: 429, type: expect.stringContaining('rate-limited') });

  // Another client is counted on its own.
  expect((await fromClient('203.0.113.11').api('GET', '/api/v1/categories')).status).toBe(200);
});

it('counts the address the load balancer saw, whatever the client puts in front of it', async () => {
  for (let i = 0; i < 5; i++) expect((await fromClient('203.0.113.20', `198.51.100.${i}`).api('GET', '/api/v1/categories')).status).toBe(200);
  expect((await fromClient('203.0.113.20', '198.51.100.99').api('GET', '/api/v1/categories')).status).toBe(429);
});

it('limits form posts with a 429 page that is never cached', async () => {
  const client = fromClient('203.0.113.30');
  for (let i = 0; i < 3; i++) expect((await client.postForm('/cart/items', { sku: 'MUG-ENA', quantity: '1' })).status).toBe(303);
  const refused = await client.postForm('/cart/items', { sku: 'MUG-ENA', quantity: '1' });
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(refused.headers.get('cache-control')).toBe('no-store');
  expect(refused.text).toContain('<h1>Please slow down</h1>');
  // The refused add changed nothing: the cart still holds three.
  expect((await client.get('/cart')).text).toContain('value="3"');
});

it('limits API changes and live stock connections too, but not the cacheable pages', async () => {
  const client = fromClient('203.0.113.40');
  for (let i = 0; i < 3; i++) expect((await client.api('POST', '/api/v1/cart/items', { sku: 'MUG-ENA', quantity: 1 })).status).toBe(200);
  expect((await client.api('POST', '/api/v1/cart/items', { sku: 'MUG-ENA', quantity: 1 })).status).toBe(429);

  for (let i = 0; i < 2; i++) {
    const stream = await fetch(`${shop.storefrontUrl}/live/stock?skus=MUG-ENA`, { headers: { 'x-forwarded-for': '203.0.113.41, 10.0.0.1' } });
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
  }
  const refused = await fetch(`${shop.storefrontUrl}/live/stock?skus=MUG-ENA`, { headers: { 'x-forwarded-for': '203.0.113.41, 10.0.0.1' } });
  expect(refused.status).toBe(429);
  expect(refused.headers.get('retry-after')).not.toBeNull();

  for (let i = 0; i < 20; i++) expect((await client.get('/p/enamel-mug')).status).toBe(200);
});
