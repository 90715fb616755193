import { cartViewSchema, MAX_CART_LINES, type CartView } from '@shop/contracts';
import { createRedisCache, type RedisCache } from '@shop/kit';
import { freePort, PrivateRedis } from '../../kit/test-support/private-redis';
import { shopper, silentLogger, startPlatform, type Platform } from './support';

let redis: PrivateRedis;
let cache: RedisCache;
let p: Platform;

beforeAll(async () => {
  redis = new PrivateRedis(await freePort());
  await redis.start();
  cache = await createRedisCache({ url: redis.url, logger: silentLogger(), keyPrefix: 'orders-carts-test:' });
  p = await startPlatform({ name: 'carts', cache });
  await p.product({ slug: 'mug', variants: [{ sku: 'MUG-RED', priceMinor: 1_500, stock: 5 }, { sku: 'MUG-BLUE', priceMinor: 1_600, stock: 0 }] });
  await p.product({ slug: 'dollar-mug', currency: 'USD', variants: [{ sku: 'MUG-USD', priceMinor: 1_800, stock: 9 }] });
  const draft = await p.catalogAdmin.post('/v1/admin/products', { slug: 'secret-mug', name: 'Secret', status: 'draft', currency: 'EUR', variants: [{ sku: 'MUG-SECRET', priceMinor: 999 }] });
  expect(draft.status).toBe(201);
  await p.product({ slug: 'sampler', variants: Array.from({ length: MAX_CART_LINES + 1 }, (_, i) => ({ sku: `SAMPLE-${i}`, priceMinor: 100 + i, stock: 3 })) });
}, 60_000);

afterAll(async () => {
  await p.close();
  await cache.close();
  await redis.kill();
});

const cartPath = (cart: CartView, suffix = '') => `/v1/carts/${cart.id}${suffix}`;

it('prices lines from the catalog, checks stock, and refuses what cannot be bought, naming the field', async () => {
  const who = shopper('lines');
  const cart = await p.cart(who, []);
  expect(cart).toMatchObject({ shopperId: who, currency: null, lines: [], itemCount: 0, subtotalMinor: 0, version: 1 });

  const added = await p.storefront.put<CartView>(cartPath(cart, '/lines/MUG-RED'), { shopperId: who, quantity: 2 });
  expect(added.status).toBe(200);
  expect(cartViewSchema.parse(added.body)).toMatchObject({
    currency: 'EUR',
    itemCount: 2,
    subtotalMinor: 3_000,
    version: 2,
    lines: [{ sku: 'MUG-RED', name: 'Product mug', slug: 'mug', quantity: 2, unitPriceMinor: 1_500, lineTotalMinor: 3_000, available: 5, problem: null, options: { size: 'S0' } }],
  });

  const tooMany = await p.storefront.put(cartPath(cart, '/lines/MUG-RED'), { shopperId: who, quantity: 6 });
  expect(tooMany.status).toBe(409);
  expect(tooMany.body).toMatchObject({ type: expect.stringContaining('insufficient-stock'), available: 5, errors: [{ field: 'body.quantity' }] });
  const soldOut = await p.storefront.put(cartPath(cart, '/lines/MUG-BLUE'), { shopperId: who, quantity: 1 });
  expect(soldOut.body).toMatchObject({ status: 409, available: 0 });
  const unknown = await p.storefront.put(cartPath(cart, '/lines/NO-SUCH-SKU'), { shopperId: who, quantity: 1 });
  expect(unknown.status).toBe(422);
  expect(unknown.body).toMatchObject({ type: expect.stringContaining('unknown-sku'), errors: [{ field: 'params.sku', message: 'is not in the catalog' }] });
  const draft = await p.storefront.put(cartPath(cart, '/lines/MUG-SECRET'), { shopperId: who, quantity: 1 });
  expect(draft.status).toBe(422);
  expect(draft.body).toMatchObject({ type: expect.stringContaining('sku-unavailable'), errors: [{ field: 'params.sku' }] });
  const dollars = await p.storefront.put(cartPath(cart, '/lines/MUG-USD'), { shopperId: who, quantity: 1 });
  expect(dollars.status).toBe(409);
  expect(dollars.body).toMatchObject({ type: expect.stringContaining('currency-mismatch'), errors: [{ field: 'params.sku' }] });
  const over = await p.storefront.put(cartPath(cart, '/lines/MUG-RED'), { shopperId: who, quantity: 100 });
  expect(over.status).toBe(400);
  expect(over.body).toMatchObject({ errors: [{ field: 'body.quantity' }] });
  const badSku = await p.storefront.put(cartPath(cart, '/lines/bad%20sku'), { shopperId: who, quantity: 1 });
  expect(badSku.status).toBe(400);
  expect(badSku.body).toMatchObject({ errors: [{ field: 'params.sku' }] });
  // None of the refusals changed the cart.
  expect((await p.storefront.get<CartView>(cartPath(cart, `?shopperId=${who}`))).body).toMatchObject({ version: 2, itemCount: 2 });

  const removed = await p.storefront.put<CartView>(cartPath(cart, '/lines/MUG-RED'), { shopperId: who, quantity: 0 });
  expect(removed.body).toMatchObject({ lines: [], currency: null, version: 3 });
  // An empty cart takes another currency.
  const usd = await p.storefront.put<CartView>(cartPath(cart, '/lines/MUG-USD'), { shopperId: who, quantity: 1 });
  expect(usd.body).toMatchObject({ currency: 'USD', subtotalMinor: 1_800 });
  const deleted = await p.storefront.delete<CartView>(cartPath(cart, `/lines/MUG-USD?shopperId=${who}`), { 'Idempotency-Key': `del-${cart.id}` });
  expect(deleted.status).toBe(200);
  expect(deleted.body).toMatchObject({ lines: [], currency: null });
});

it('answers 404 for the cart of another shopper, and requires a shopper on every call', async () => {
  const owner = shopper('owner');
  const cart = await p.cart(owner, [{ sku: 'MUG-RED', quantity: 1 }]);
  const other = shopper('other');
  expect((await p.storefront.get(cartPath(cart, `?shopperId=${other}`))).status).toBe(404);
  expect((await p.storefront.put(cartPath(cart, '/lines/MUG-RED'), { shopperId: other, quantity: 3 })).status).toBe(404);
  expect((await p.storefront.delete(cartPath(cart, `/lines/MUG-RED?shopperId=${other}`))).status).toBe(404);
  const missing = await p.storefront.get(cartPath(cart));
  expect(missing.status).toBe(400);
  expect(missing.body).toMatchObject({ errors: [{ field: 'query.shopperId' }] });
  expect((await p.storefront.get(cartPath(cart, `?shopperId=${owner}`))).body).toMatchObject({ itemCount: 1 });
});

it(`holds at most ${MAX_CART_LINES} lines`, async () => {
  const who = shopper('full');
  const cart = await p.cart(who, Array.from({ length: MAX_CART_LINES }, (_, i) => ({ sku: `SAMPLE-${i}`, quantity: 1 })));
  expect(cart.lines).toHaveLength(MAX_CART_LINES);
  const full = await p.storefront.put(cartPath(cart, `/lines/SAMPLE-${MAX_CART_LINES}`), { shopperId: who, quantity: 1 });
  expect(full.status).toBe(409);
  expect(full.body).toMatchObject({ type: expect.stringContaining('cart-full'), limit: MAX_CART_LINES });
  // Changing a line already there is still fine.
  expect((await p.storefront.put(cartPath(cart, '/lines/SAMPLE-0'), { shopperId: who, quantity: 3 })).status).toBe(200);
}, 60_000);

it('replays a cart change sent again with the same Idempotency-Key', async () => {
  const who = shopper('retry');
  const cart = await p.cart(who, []);
  const headers = { 'Idempotency-Key': `put-${cart.id}` };
  const first = await p.storefront.put<CartView>(cartPath(cart, '/lines/MUG-RED'), { shopperId: who, quantity: 1 }, headers);
  const again = await p.storefront.put<CartView>(cartPath(cart, '/lines/MUG-RED'), { shopperId: who, quantity: 1 }, headers);
  expect(again.headers.get('idempotent-replayed')).toBe('true');
  expect(again.body).toEqual(first.body);
  expect((await p.storefront.get<CartView>(cartPath(cart, `?shopperId=${who}`))).body.version).toBe(2);
});

it('serves cart views from Redis, and stays correct for reads and changes while Redis is down', async () => {
  const who = shopper('redis');
  const cart = await p.cart(who, [{ sku: 'MUG-RED', quantity: 1 }]);
  const read = await p.storefront.get<CartView>(cartPath(cart, `?shopperId=${who}`));
  expect(JSON.parse((await cache.get(`orders:cart:${cart.id}:v${read.body.version}`))!)).toEqual(read.body);

  await redis.kill();

  expect((await p.storefront.get<CartView>(cartPath(cart, `?shopperId=${who}`))).body).toEqual(read.body);
  const changed = await p.storefront.put<CartView>(cartPath(cart, '/lines/MUG-RED'), { shopperId: who, quantity: 4 });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ itemCount: 4, version: read.body.version + 1 });
  expect((await p.storefront.get<CartView>(cartPath(cart, `?shopperId=${who}`))).body).toEqual(changed.body);
  const fresh = await p.storefront.post<CartView>('/v1/carts', { shopperId: who });
  expect(fresh.status).toBe(201);

  await redis.start();
  await new Promise((r) => setTimeout(r, 500));
  // Back up and empty: the next read rebuilds the view from Postgres and caches it again.
  expect((await p.storefront.get<CartView>(cartPath(cart, `?shopperId=${who}`))).body).toEqual(changed.body);
  expect(await cache.get(`orders:cart:${cart.id}:v${changed.body.version}`)).not.toBeNull();
});
