import { CookieSigner, devServiceCredentials, listen, MemoryCache, type RunningServer } from '@shop/kit';
import { TEST_CARDS } from '@shop/contracts';
import { createCallees, createStorefrontApp } from '../src/index';
import { COOKIE_KEY, seedShop, startShop, waitFor, WAREHOUSE, type Shop } from './support/shop';
import { hiddenValue, Visitor } from './support/visitor';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop({ name: 'checkout' });
  await seedShop(shop);
});

afterAll(async () => {
  await shop.close();
});

const FORM = {
  email: 'ada@example.com',
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  line2: '',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
  cardNumber: '4242 4242 4242 4242',
  expiry: '12/39',
  cvc: '123',
};

/** A shopper with these items in the cart, on the checkout page; returns its checkout id. */
async function atCheckout(visitor: Visitor, items: Array<[string, number]>): Promise<string> {
  for (const [sku, quantity] of items) expect((await visitor.postForm('/cart/items', { sku, quantity: String(quantity) })).status).toBe(303);
  const page = await visitor.get('/checkout');
  expect(page.status).toBe(200);
  return hiddenValue(page.text, 'checkoutId')!;
}

it('shows each problem with the details next to its field and keeps the checkout id', async () => {
  const visitor = new Visitor(shop.url);
  const checkoutId = await atCheckout(visitor, [['MUG-ENA', 1]]);
  const res = await visitor.postForm('/checkout', { ...FORM, checkoutId, email: 'not-an-email', postalCode: '', cardNumber: '1234', expiry: '13/99', country: 'XX' });
  expect(res.status).toBe(422);
  expect(res.headers.get('cache-control')).toBe('private, no-store');
  for (const field of ['email', 'postalCode', 'cardNumber', 'expiry', 'country']) {
    expect(res.text).toMatch(new RegExp(`id="field-${field}"[^>]*aria-describedby="[^"]*field-${field}-error"[^>]*aria-invalid="true"`));
    expect(res.text).toContain(`<a href="#field-${field}">`);
  }
  expect(res.text).toContain('role="alert"');
  expect(res.text).toContain('value="Ada Lovelace"');
  expect(hiddenValue(res.text, 'checkoutId')).toBe(checkoutId);
  expect(await shop.available('MUG-ENA')).toBe(30);
});

it('tells the shopper when the payment provider does not answer, with nothing charged and the stock back', async () => {
  const visitor = new Visitor(shop.url);
  const checkoutId = await atCheckout(visitor, [['SHIRT-LIN', 2]]);
  const res = await visitor.postForm('/checkout', { ...FORM, checkoutId, cardNumber: TEST_CARDS.timeout });
  expect(res.status).toBe(504);
  expect(res.text).toContain('The payment did not go through');
  expect(res.text).toContain('You have not been charged.');
  // The attempt is over: the next submit is a new checkout.
  expect(hiddenValue(res.text, 'checkoutId')).not.toBe(checkoutId);
  await waitFor('the held shirts back on sale', async () => (await shop.available('SHIRT-LIN')) === 8);
});

it('tells the shopper when items sold out meanwhile and sends them to the cart', async () => {
  const visitor = new Visitor(shop.url);
  const checkoutId = await atCheckout(visitor, [['TEE-BLK-L', 3]]);
  expect((await shop.inventoryAdmin('POST', '/v1/stock/adjust', { warehouseId: WAREHOUSE, sku: 'TEE-BLK-L', delta: -2, reason: 'damage' })).status).toBe(201);
  const res = await visitor.postForm('/checkout', { ...FORM, checkoutId });
  expect(res.status).toBe(409);
  expect(res.text).toContain('<h2>Some items sold out</h2>');
  expect(res.text).toContain('You have not been charged.');
  expect(res.text).toContain('<a href="/cart">Review your cart</a>');
  const cart = await visitor.get('/cart');
  expect(cart.text).toContain('Only 1 left. Please lower the quantity.');
  expect(cart.text).not.toContain('Go to checkout');
  expect((await visitor.get('/checkout')).status).toBe(303);
});

it('lists the test cards only when the test payment provider is configured', async () => {
  const visitor = new Visitor(shop.url);
  await atCheckout(visitor, [['MUG-ENA', 1]]);
  expect((await visitor.get('/checkout')).text).toContain(TEST_CARDS.declined);

  const callees = createCallees({ catalogUrl: shop.catalog.url, inventoryUrl: shop.inventory.url, ordersUrl: shop.orders.url, activityUrl: shop.activity.url, credentials: devServiceCredentials(shop.issuer, 'storefront@test') });
  const { app } = createStorefrontApp({ logger: shop.logger, cache: new MemoryCache(), cookies: new CookieSigner(COOKIE_KEY), callees, activity: { record: () => undefined }, settings: { COOKIE_SECURE: false } });
  const server: RunningServer = await listen(app, 0, '127.0.0.1');
  try {
    const real = new Visitor(server.url);
    expect((await real.postForm('/cart/items', { sku: 'MUG-ENA', quantity: '1' })).status).toBe(303);
    const page = await real.get('/checkout');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Place order');
    expect(page.text).not.toContain('Test cards');
    expect(page.text).not.toContain(TEST_CARDS.approved);
  } finally {
    await server.close();
    callees.close();
  }
});
