import { randomUUID } from 'node:crypto';
import { CookieSigner, createLogger, createTokenVerifier, devServiceCredentials, MemoryCache, PubSubBus } from '@shop/kit';
import { TEST_CARDS, type ActivityInput } from '@shop/contracts';
import { startActivityService } from '@shop/activity';
import { freePort } from '../../kit/test-support/ports';
import { ActivityQueue, createCallees } from '../src/index';
import { COOKIE_KEY, seedShop, startShop, waitFor, type Shop } from './support/shop';
import { hiddenValue, Visitor } from './support/visitor';

let shop: Shop;
let bus: PubSubBus;
const logger = createLogger({ service: 'storefront-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

beforeAll(async () => {
  // The Pub/Sub emulator, in a project of this file's own.
  bus = new PubSubBus({ projectId: `storefront-activity-${randomUUID().slice(0, 8)}`, autoCreate: true, logger, publishTimeoutMs: 5_000 });
  shop = await startShop({ name: 'activity', bus });
  await seedShop(shop);
}, 120_000);

afterAll(async () => {
  await shop.close();
  await bus.close();
});

const signer = new CookieSigner(COOKIE_KEY);
/** A shopper's events of a type, one per event id: consumers drop repeats of an id, as the platform's do. */
const eventsOf = (shopperId: string, type: string) => [
  ...new Map(shop.activityEvents.filter((e) => e.type === `activity.${type}` && (e.data as { shopperId: string }).shopperId === shopperId).map((e) => [e.id, e])).values(),
];

const CHECKOUT_FORM = {
  email: 'grace@example.com',
  name: 'Grace Hopper',
  line1: '1 Harbour Road',
  line2: '',
  city: 'Arlington',
  postalCode: '22201',
  country: 'US',
  cardNumber: TEST_CARDS.approved,
  expiry: '12/39',
  cvc: '123',
};

it('sends cart changes, the checkout start and one purchase per order line to the activity service, with the shopper and session', async () => {
  const visitor = new Visitor(shop.url);
  expect((await visitor.postForm('/cart/items', { sku: 'MUG-ENA', quantity: '3' })).status).toBe(303);
  expect((await visitor.postForm('/cart/items/MUG-ENA', { quantity: '1' })).status).toBe(303);
  expect((await visitor.postForm('/cart/items', { sku: 'TEE-BLK-M', quantity: '2' })).status).toBe(303);
  expect((await visitor.postForm('/cart/items', { sku: 'SHIRT-LIN', quantity: '1' })).status).toBe(303);
  expect((await visitor.postForm('/cart/items/SHIRT-LIN/remove', {})).status).toBe(303);
  const shopperId = signer.verify('sid', visitor.jar.get('sid'))!;
  const sessionId = signer.verify('ssn', visitor.jar.get('ssn'))!;

  const checkout = await visitor.get('/checkout');
  expect(checkout.status).toBe(200);
  const checkoutId = hiddenValue(checkout.text, 'checkoutId')!;
  // A double submit of the same page (both sent before either answer) lands on one order and repeats no purchase.
  const [placed, twin] = await Promise.all([visitor.postForm('/checkout', { ...CHECKOUT_FORM, checkoutId }), visitor.postForm('/checkout', { ...CHECKOUT_FORM, checkoutId })]);
  expect(placed.status).toBe(303);
  expect(placed.headers.get('location')).toMatch(/^\/orders\/[A-Z0-9]{4}-[A-Z0-9]{4}\?placed=1$/);
  expect(twin.headers.get('location')).toBe(placed.headers.get('location'));
  // So does a submit after the cart was turned into the order (the back button).
  const again = await visitor.postForm('/checkout', { ...CHECKOUT_FORM, checkoutId });
  expect(again.headers.get('location')).toBe(placed.headers.get('location'));

  await waitFor('purchase events', () => eventsOf(shopperId, 'purchase_completed').length === 2);
  const data = (type: string) => eventsOf(shopperId, type).map((e) => e.data as Record<string, unknown>);
  expect(data('cart_item_added').map((d) => [d.sku, d.quantity])).toEqual(expect.arrayContaining([['MUG-ENA', 3], ['TEE-BLK-M', 2], ['SHIRT-LIN', 1]]));
  expect(data('cart_item_removed').map((d) => [d.sku, d.quantity])).toEqual(expect.arrayContaining([['MUG-ENA', 2], ['SHIRT-LIN', 1]]));
  expect(data('checkout_started')).toEqual([expect.objectContaining({ itemCount: 3, valueMinor: 1250 + 2 * 1999, currency: 'EUR' })]);
  const purchases = data('purchase_completed');
  expect(purchases.map((d) => [d.sku, d.quantity, d.priceMinor]).sort()).toEqual([['MUG-ENA', 1, 1250], ['TEE-BLK-M', 2, 1999]]);
  for (const d of [...data('cart_item_added'), ...data('cart_item_removed'), ...purchases]) {
    expect(d).toMatchObject({ shopperId, sessionId, currency: 'EUR', productId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
  }
  expect(new Set(purchases.map((d) => d.orderId)).size).toBe(1);
});

it('lets the page beacon record views for the shopper of the cookies (same origin, through the load balancer)', async () => {
  const visitor = new Visitor(shop.url);
  await visitor.get('/cart');
  const shopperId = signer.verify('sid', visitor.jar.get('sid'))!;
  const page = await visitor.get('/p/enamel-mug');
  const productId = /data-product-id="([^"]+)"/.exec(page.text)![1]!;
  const eventId = randomUUID();
  const sent = await visitor.request('POST', '/beacon', { json: JSON.stringify({ events: [{ type: 'product_viewed', eventId, productId, sku: null }] }), headers: { 'content-type': 'text/plain;charset=UTF-8' } });
  expect(sent.status).toBe(202);
  await waitFor('the beacon view', () => eventsOf(shopperId, 'product_viewed').length === 1);
  expect(eventsOf(shopperId, 'product_viewed')[0]).toMatchObject({ id: eventId, data: expect.objectContaining({ productId }) });
});

it('holds events while the activity service is down and delivers each once it is back', async () => {
  const port = await freePort();
  const callees = createCallees({
    catalogUrl: shop.catalog.url,
    inventoryUrl: shop.inventory.url,
    ordersUrl: shop.orders.url,
    activityUrl: `http://127.0.0.1:${port}`,
    credentials: devServiceCredentials(shop.issuer, 'storefront@test'),
    timeoutMs: 500,
  });
  const queue = new ActivityQueue({ send: (events) => callees.activity.send(events), logger, batchSize: 10, flushIntervalMs: 20, maxQueued: 1_000, retryInitialMs: 50, retryMaxMs: 200 });
  queue.start();
  const shopperId = `outage-${randomUUID().slice(0, 8)}`;
  const events: ActivityInput[] = Array.from({ length: 25 }, (_, i) => ({
    type: 'search_performed',
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    shopperId,
    sessionId: 'outage-session',
    query: `query ${i}`,
    resultCount: i,
  }));
  for (const e of events) queue.record(e);
  await new Promise((r) => setTimeout(r, 600));
  expect(queue.size).toBe(25);
  const verifyToken = createTokenVerifier({ jwks: shop.issuer.jwks, issuer: shop.issuer.issuer, audience: shop.issuer.audience });
  const activity = await startActivityService({ bus, cache: new MemoryCache(), logger, verifyToken, cookies: signer, secureCookies: false }, { port, host: '127.0.0.1' });
  try {
    await waitFor('the held events', () => eventsOf(shopperId, 'search_performed').length >= 25);
    expect(queue.size).toBe(0);
    expect(new Set(eventsOf(shopperId, 'search_performed').map((e) => e.id))).toEqual(new Set(events.map((e) => e.eventId)));
  } finally {
    await queue.stop();
    await activity.stop();
    callees.close();
  }
});
