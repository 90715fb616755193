import { CookieSigner, devServiceCredentials, listen, MemoryCache, type RunningServer } from '@shop/kit';
import { SESSION_IDLE_SECONDS } from '@shop/contracts';
import { createCallees, createStorefrontApp } from '../src/index';
import { COOKIE_KEY, seedShop, startShop, type Shop } from './support/shop';
import { Visitor } from './support/visitor';

let shop: Shop;
const signer = new CookieSigner(COOKIE_KEY);

beforeAll(async () => {
  shop = await startShop({ name: 'cookies' });
  await seedShop(shop);
});

afterAll(async () => {
  await shop.close();
});

/** The verified value of a cookie the shop set, or null. */
const valueOf = (visitor: Visitor, name: string): string | null => signer.verify(name, visitor.jar.get(name));

async function addToCart(visitor: Visitor, sku: string, quantity = 1): Promise<void> {
  const res = await visitor.postForm('/cart/items', { sku, quantity: String(quantity) });
  expect(res.status).toBe(303);
  expect(res.headers.get('location')).toBe('/cart?notice=added');
}

it('issues signed shopper and session ids on the first private response, HttpOnly, SameSite=Lax, with the configured lifetimes', async () => {
  const visitor = new Visitor(shop.url);
  const res = await visitor.get('/cart');
  expect(res.status).toBe(200);
  const sid = res.setCookies.get('sid')!;
  const ssn = res.setCookies.get('ssn')!;
  expect(sid).toMatch(/^sid=[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+; Path=\/; SameSite=Lax; Max-Age=31536000; HttpOnly$/);
  expect(ssn).toMatch(new RegExp(`^ssn=[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]+; Path=/; SameSite=Lax; Max-Age=${SESSION_IDLE_SECONDS}; HttpOnly$`));
  expect(valueOf(visitor, 'sid')).not.toBeNull();
  expect(valueOf(visitor, 'ssn')).not.toBeNull();
});

it('keeps the ids of a returning shopper and extends the session', async () => {
  const visitor = new Visitor(shop.url);
  await visitor.get('/cart');
  const shopper = valueOf(visitor, 'sid');
  const session = valueOf(visitor, 'ssn');
  const again = await visitor.get('/cart');
  expect(again.setCookies.has('sid')).toBe(false);
  expect(again.setCookies.get('ssn')).toContain(`Max-Age=${SESSION_IDLE_SECONDS}`);
  expect(valueOf(visitor, 'sid')).toBe(shopper);
  expect(valueOf(visitor, 'ssn')).toBe(session);
});

it('keeps the cart in a signed cookie tied to the shopper', async () => {
  const visitor = new Visitor(shop.url);
  await addToCart(visitor, 'MUG-ENA', 2);
  const cartId = valueOf(visitor, 'cart');
  expect(cartId).toMatch(/^[0-9a-f-]{36}$/);
  const page = await visitor.get('/cart');
  expect(page.text).toContain('Enamel Mug');
  expect(page.text).toContain('value="2"');
  await addToCart(visitor, 'MUG-ENA', 1);
  expect(valueOf(visitor, 'cart')).toBe(cartId);
  expect((await visitor.get('/cart')).text).toContain('value="3"');

  // The same cart cookie with another shopper's id shows nothing: orders answers 404 for someone else's cart.
  const thief = new Visitor(shop.url);
  await thief.get('/cart');
  thief.jar.set('cart', visitor.jar.get('cart')!);
  const stolen = await thief.get('/cart');
  expect(stolen.status).toBe(200);
  expect(stolen.text).toContain('Your cart is empty');
});

const tamper = (signed: string): string => {
  const [value, mac] = signed.split('.') as [string, string];
  const flipped = value[0] === 'A' ? `B${value.slice(1)}` : `A${value.slice(1)}`;
  return `${flipped}.${mac}`;
};

it.each([
  ['a tampered shopper id', (v: Visitor) => v.jar.set('sid', tamper(v.jar.get('sid')!))],
  ['a truncated signature', (v: Visitor) => v.jar.set('sid', v.jar.get('sid')!.slice(0, -3))],
  ['no signature', (v: Visitor) => v.jar.set('sid', v.jar.get('sid')!.split('.')[0]!)],
  ['an id signed with another key', (v: Visitor) => v.jar.set('sid', new CookieSigner('x'.repeat(40)).sign('sid', v.jar.get('sid')!.split('.')[0]!))],
  ['a session id moved into the shopper cookie', (v: Visitor) => v.jar.set('sid', v.jar.get('ssn')!)],
  ['a malformed value', (v: Visitor) => v.jar.set('sid', '"%00;;==')],
])('ignores %s and issues a fresh shopper id, and the old cart stays out of reach', async (_name, spoil) => {
  const visitor = new Visitor(shop.url);
  await addToCart(visitor, 'MUG-ENA');
  const original = valueOf(visitor, 'sid');
  spoil(visitor);
  const res = await visitor.get('/cart');
  expect(res.status).toBe(200);
  const fresh = valueOf(visitor, 'sid');
  expect(fresh).not.toBeNull();
  expect(fresh).not.toBe(original);
  expect(res.text).toContain('Your cart is empty');
});

it('ignores a tampered cart cookie and starts a new cart on the next add', async () => {
  const visitor = new Visitor(shop.url);
  await addToCart(visitor, 'MUG-ENA');
  const first = valueOf(visitor, 'cart');
  visitor.jar.set('cart', tamper(visitor.jar.get('cart')!));
  expect((await visitor.get('/cart')).text).toContain('Your cart is empty');
  await addToCart(visitor, 'SHIRT-LIN');
  const second = valueOf(visitor, 'cart');
  expect(second).not.toBeNull();
  expect(second).not.toBe(first);
});

it.each([
  ['a name without a value', 'sid'],
  ['no names', '====='],
  ['repeated and empty cookies', 'sid=a.b.c; sid=d.e; ssn=; cart=..'],
  ['a 9,000-character cookie', `sid=${'x'.repeat(9000)}`],
  ['an unterminated quote and non-ASCII bytes', 'sid="unterminated; cart=\u00ff\u00fe'],
  ['a cart that is no id and a forged order list', 'cart=not-a-uuid.sig; orders=K7QM2XPA_00000000-0000-0000-0000-000000000000.bad'],
])('answers a Cookie header with %s without a server error', async (_name, cookie) => {
  for (const path of ['/cart', '/checkout', '/orders/K7QM-2XPA', '/api/v1/cart']) {
    const res = await new Visitor(shop.url).get(path, { cookie });
    expect(res.status).toBeLessThan(500);
    expect(res.setCookies.has('sid')).toBe(true);
  }
});

it('marks cookies Secure when the storefront is configured for HTTPS (the default)', async () => {
  const callees = createCallees({
    catalogUrl: shop.catalog.url,
    inventoryUrl: shop.inventory.url,
    ordersUrl: shop.orders.url,
    activityUrl: shop.activity.url,
    credentials: devServiceCredentials(shop.issuer, 'storefront@test'),
  });
  const { app } = createStorefrontApp({ logger: shop.logger, cache: new MemoryCache(), cookies: new CookieSigner(COOKIE_KEY), callees, activity: { record: () => undefined } });
  const server: RunningServer = await listen(app, 0, '127.0.0.1');
  try {
    const visitor = new Visitor(server.url);
    await addToCart(visitor, 'MUG-ENA');
    const lines = [...(await visitor.get('/cart')).setCookies.values()];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/; HttpOnly; Secure$/);
    expect((await visitor.get('/')).headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  } finally {
    await server.close();
    callees.close();
  }
});
