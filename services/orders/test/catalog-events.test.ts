import { randomUUID } from 'node:crypto';
import { CATALOG_SOURCE, TOPICS, toAttributes, type CartView } from '@shop/contracts';
import { MemoryCache, PubSubBus } from '@shop/kit';
import { CATALOG_SUBSCRIPTION } from '../src/operations/catalog-consumer';
import { eventually, shopper, silentLogger, startPlatform, type Platform } from './support';

let bus: PubSubBus;
let cache: MemoryCache;
let p: Platform;
let lamp: { id: string };
let chair: { id: string };

beforeAll(async () => {
  // A Pub/Sub project of this file's own on the shared emulator.
  bus = new PubSubBus({ projectId: `orders-catalog-events-${randomUUID().slice(0, 8)}`, logger: silentLogger(), autoCreate: true });
  cache = new MemoryCache();
  p = await startPlatform({ name: 'catalog_events', bus, cache, service: true });
  lamp = await p.product({ slug: 'floor-lamp', variants: [{ sku: 'LAMP-BRASS', priceMinor: 12_000, stock: 5 }, { sku: 'LAMP-STEEL', priceMinor: 11_000, stock: 5 }] });
  chair = await p.product({ slug: 'oak-chair', variants: [{ sku: 'CHAIR', priceMinor: 25_000, stock: 5 }] });
  await p.product({ slug: 'rug', variants: [{ sku: 'RUG', priceMinor: 9_000, stock: 5 }] });
}, 60_000);

afterAll(async () => {
  await p.close();
  await bus.close();
  await cache.close();
});

const cartOf = async (cart: CartView) => (await p.storefront.get<CartView>(`/v1/carts/${cart.id}?shopperId=${cart.shopperId}`)).body;

it('takes a deleted product out of every cart, and a product that is no longer active', async () => {
  const first = await p.cart(shopper('events-1'), [{ sku: 'LAMP-BRASS', quantity: 1 }, { sku: 'RUG', quantity: 2 }, { sku: 'LAMP-STEEL', quantity: 1 }]);
  const second = await p.cart(shopper('events-2'), [{ sku: 'LAMP-STEEL', quantity: 2 }]);
  const third = await p.cart(shopper('events-3'), [{ sku: 'CHAIR', quantity: 1 }, { sku: 'RUG', quantity: 1 }]);
  const firstCached = await cartOf(first);
  expect(await cache.get(`orders:cart:${first.id}:v${firstCached.version}`)).not.toBeNull();

  expect((await p.catalogAdmin.delete(`/v1/admin/products/${lamp.id}`)).status).toBe(200);

  const firstAfter = await eventually('the lamp to leave the first cart', async () => {
    const view = await cartOf(first);
    return view.lines.length === 1 ? view : null;
  });
  expect(firstAfter).toMatchObject({ currency: 'EUR', itemCount: 2, lines: [{ sku: 'RUG' }], version: firstCached.version + 1 });
  expect(await cache.get(`orders:cart:${first.id}:v${firstCached.version}`)).toBeNull();
  expect(await cartOf(second)).toMatchObject({ lines: [], currency: null, itemCount: 0 });
  expect((await cartOf(third)).lines).toHaveLength(2);

  expect((await p.catalogAdmin.post(`/v1/admin/products/${chair.id}/status`, { status: 'archived' })).status).toBe(200);
  await eventually('the archived chair to leave the third cart', async () => (await cartOf(third)).lines.length === 1);
  expect(await cartOf(third)).toMatchObject({ lines: [{ sku: 'RUG' }] });
  // Each event was applied once by this consumer.
  const processed = await p.databases.orders.db('processed_events').where({ consumer: CATALOG_SUBSCRIPTION }).count<Array<{ count: string }>>('* as count');
  expect(Number(processed[0]!.count)).toBeGreaterThanOrEqual(2);
}, 60_000);

it('applies an event delivered twice only once', async () => {
  const cart = await p.cart(shopper('events-redelivered'), [{ sku: 'RUG', quantity: 1 }]);
  const before = await cartOf(cart);
  const product = (await p.catalogAdmin.get<{ items: Array<{ id: string; slug: string; version: number }> }>('/v1/admin/products?q=rug')).body.items.find((i) => i.slug === 'rug')!;
  const event = {
    id: randomUUID(),
    type: 'catalog.product_deleted',
    source: CATALOG_SOURCE,
    subject: product.id,
    time: new Date().toISOString(),
    data: { productId: product.id, slug: 'rug', name: 'Rug', status: 'active', categoryId: null, variants: [{ sku: 'RUG', priceMinor: 9_000, currency: 'EUR', options: {} }], version: product.version + 1, deletedAt: new Date().toISOString() },
  };
  // The same event twice, as an at-least-once broker may deliver it.
  const message = { data: Buffer.from(JSON.stringify(event.data)), attributes: toAttributes(event) };
  await bus.publish(TOPICS.catalog, [message, message]);

  await eventually('the rug to leave the cart', async () => (await cartOf(cart)).lines.length === 0);
  await new Promise((r) => setTimeout(r, 500));
  const after = await cartOf(cart);
  expect(after.version).toBe(before.version + 1);
  const processed = await p.databases.orders.db('processed_events').where({ consumer: CATALOG_SUBSCRIPTION, event_id: event.id });
  expect(processed).toHaveLength(1);
}, 60_000);
