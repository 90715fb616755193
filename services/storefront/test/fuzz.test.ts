import fc from 'fast-check';
import { TEST_CARDS } from '@shop/contracts';
import { seedShop, startShop, type Shop } from './support/shop';
import { Visitor, type Reply } from './support/visitor';

let shop: Shop;
/** A shopper with a cart, so the cart and checkout routes get past "no cart". */
let shopper: Visitor;

beforeAll(async () => {
  shop = await startShop({ name: 'fuzz', settings: { API_RATE_LIMIT: 1_000_000, MUTATION_RATE_LIMIT: 1_000_000, LIVE_RATE_LIMIT: 1_000_000 } });
  await seedShop(shop);
  shopper = new Visitor(shop.url);
  expect((await shopper.postForm('/cart/items', { sku: 'MUG-ENA', quantity: '1' })).status).toBe(303);
});

afterAll(async () => {
  await shop.close();
});

/** Values that tend to break parsers, templates and arithmetic. */
const nasty = fc.oneof(
  fc.constantFrom('', ' ', '0', '-1', '1e309', '99999999999999999999', '1.999', 'NaN', '<script>alert(1)</script>', '"><img src=x>', '../../etc/passwd', '%', '%E0%A4%A', '\u0000', '\u202e', 'TEE-BLK-M', 'true', 'price_asc', '[]', '{}', 'null', 'a'.repeat(600)),
  fc.string({ maxLength: 60 }),
  fc.integer().map(String),
);
const jsonNasty = fc.oneof(fc.jsonValue(), nasty, fc.integer(), fc.constantFrom(null, true, [], {}, -1, 0, 1.5, 2 ** 53));

/** Cookie headers from harmless to hostile; the shopper's own valid cookies are mixed in now and then. */
const cookieHeader = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }).map((s) => s.replace(/[\r\n]/g, '')),
  fc.tuple(fc.constantFrom('sid', 'ssn', 'cart', 'orders', 'x'), fc.string({ maxLength: 80 })).map(([k, v]) => `${k}=${v.replace(/[\r\n;]/g, '')}`),
  fc.constant('__VALID__'),
);

function visitorFor(cookie: string | undefined): { visit: (path: string, init?: RequestInit) => Promise<Reply> } {
  return {
    visit: async (path, init = {}) => {
      const headers = new Headers(init.headers);
      const value = cookie === '__VALID__' ? shopper.cookieHeader : cookie;
      if (value !== undefined) {
        try {
          headers.set('cookie', value);
        } catch {
          // a header value fetch itself refuses to send is not a request the shop can receive
        }
      }
      const res = await fetch(shop.url + path, { ...init, headers, redirect: 'manual' });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        // pages
      }
      return { status: res.status, headers: res.headers, text, json, setCookies: new Map() };
    },
  };
}

const query = (keys: readonly string[]) =>
  fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.constantFrom('x[]', 'sort[a]', '__proto__', 'q[0]')), nasty, { maxKeys: 5 }).map((params) => new URLSearchParams(params).toString());

const expectNoServerError = (res: Reply, what: string) => {
  if (res.status >= 500) throw new Error(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
};

const expectProblem = (res: Reply) => {
  if (res.status >= 400) {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.json).toMatchObject({ status: res.status, title: expect.any(String), type: expect.any(String) });
  }
};

it('answers pages with malformed queries, paths and cookies without a server error', async () => {
  const paths = fc.oneof(
    query(['minPrice', 'maxPrice', 'inStock', 'sort', 'cursor']).map((q) => `/c/apparel?${q}`),
    query(['q', 'minPrice', 'maxPrice', 'inStock', 'sort', 'cursor']).map((q) => `/search?${q}`),
    nasty.map((s) => `/p/${encodeURIComponent(s)}`),
    nasty.map((s) => `/c/${encodeURIComponent(s)}`),
    nasty.map((s) => `/orders/${encodeURIComponent(s)}`),
    query(['notice', 'error']).map((q) => `/cart?${q}`),
    fc.constantFrom('/p/%', '/c/%E0%A4%A', '/orders/%00', '/search?q=%', '/search?q=%FF%FE', '/c/apparel?minPrice=%', '/static/..%2F..%2Fetc', '/checkout', '/live/stock', '/live/stock?skus=%00'),
  );
  await fc.assert(
    fc.asyncProperty(paths, cookieHeader, async (path, cookie) => {
      const res = await visitorFor(cookie).visit(path, path.startsWith('/live/') ? { signal: AbortSignal.timeout(2_000) } : {});
      expectNoServerError(res, `GET ${path}`);
      if (res.status === 200 && !path.startsWith('/live/')) expect(res.text).toContain('<!doctype html>');
    }),
    { numRuns: 400 },
  );
}, 120_000);

it('answers malformed form posts without a server error', async () => {
  const forms = fc.oneof(
    fc.record({ path: fc.constant('/cart/items'), body: fc.dictionary(fc.constantFrom('sku', 'quantity', 'x'), nasty, { maxKeys: 3 }) }),
    fc.record({ path: nasty.map((s) => `/cart/items/${encodeURIComponent(s)}`), body: fc.dictionary(fc.constantFrom('quantity'), nasty, { maxKeys: 1 }) }),
    fc.record({ path: nasty.map((s) => `/cart/items/${encodeURIComponent(s)}/remove`), body: fc.constant({}) }),
    fc.record({
      path: fc.constant('/checkout'),
      body: fc.dictionary(fc.constantFrom('checkoutId', 'email', 'name', 'line1', 'line2', 'city', 'postalCode', 'country', 'cardNumber', 'expiry', 'cvc'), nasty, { maxKeys: 11 }),
    }),
    fc.record({ path: fc.constant('/orders/lookup'), body: fc.dictionary(fc.constantFrom('number', 'email'), nasty, { maxKeys: 2 }) }),
  );
  const encodings = fc.constantFrom('form', 'json', 'garbage');
  await fc.assert(
    fc.asyncProperty(forms, cookieHeader, encodings, async ({ path, body }, cookie, encoding) => {
      const init: RequestInit =
        encoding === 'form'
          ? { method: 'POST', body: new URLSearchParams(body).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
          : encoding === 'json'
            ? { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
            : { method: 'POST', body: '%%%&&&==\u0000', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
      const res = await visitorFor(cookie).visit(path, init);
      expectNoServerError(res, `POST ${path}`);
      expect([200, 303, 400, 402, 404, 409, 413, 415, 422, 504]).toContain(res.status);
    }),
    { numRuns: 400 },
  );
}, 120_000);

it('answers the JSON API with problem documents for malformed input, never a server error', async () => {
  const valid = {
    item: { sku: 'MUG-ENA', quantity: 1 },
    line: { quantity: 2 },
    checkout: {
      checkoutId: '6f1f4e5e-2f0b-4a4c-9d1e-9a3b8f0e7c11',
      email: 'ada@example.com',
      shipping: { name: 'Ada', line1: '1 Way', city: 'Berlin', postalCode: '10115', country: 'DE' },
      payment: { method: 'card', cardNumber: TEST_CARDS.declined, expiry: '12/39', cvc: '123' },
    },
    lookup: { number: 'ABCD-EFGH', email: 'ada@example.com' },
  };
  const mutate = (base: Record<string, unknown>) =>
    fc
      .tuple(fc.subarray(Object.keys(base)), fc.dictionary(fc.constantFrom(...Object.keys(base), 'extra'), jsonNasty, { maxKeys: 3 }))
      .map(([keep, overrides]) => ({ ...Object.fromEntries(keep.map((k) => [k, base[k]])), ...overrides }));
  const body = (base: Record<string, unknown>) => fc.oneof({ weight: 3, arbitrary: mutate(base) }, { weight: 1, arbitrary: jsonNasty });
  const calls = fc.oneof(
    query(['q', 'category', 'minPrice', 'maxPrice', 'inStock', 'sort', 'cursor', 'limit']).map((q) => ({ method: 'GET', path: `/api/v1/products?${q}`, body: undefined as unknown })),
    nasty.map((s) => ({ method: 'GET', path: `/api/v1/products/${encodeURIComponent(s)}`, body: undefined as unknown })),
    nasty.map((s) => ({ method: 'GET', path: `/api/v1/products/${encodeURIComponent(s)}/also-viewed`, body: undefined as unknown })),
    query(['skus']).map((q) => ({ method: 'GET', path: `/api/v1/availability?${q}`, body: undefined as unknown })),
    nasty.map((s) => ({ method: 'GET', path: `/api/v1/orders/${encodeURIComponent(s)}`, body: undefined as unknown })),
    body(valid.item).map((b) => ({ method: 'POST', path: '/api/v1/cart/items', body: b as unknown })),
    fc.tuple(nasty, body(valid.line)).map(([sku, b]) => ({ method: 'PUT', path: `/api/v1/cart/items/${encodeURIComponent(sku)}`, body: b as unknown })),
    nasty.map((sku) => ({ method: 'DELETE', path: `/api/v1/cart/items/${encodeURIComponent(sku)}`, body: undefined as unknown })),
    body(valid.checkout).map((b) => ({ method: 'POST', path: '/api/v1/checkout', body: b as unknown })),
    body(valid.lookup).map((b) => ({ method: 'POST', path: '/api/v1/orders/lookup', body: b as unknown })),
  );
  const idempotencyKey = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 300 }).filter((k) => [...k].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 256)));
  await fc.assert(
    fc.asyncProperty(calls, cookieHeader, idempotencyKey, async (call, cookie, key) => {
      const headers: Record<string, string> = call.body === undefined ? {} : { 'content-type': 'application/json' };
      if (key !== undefined && call.method !== 'GET') headers['idempotency-key'] = key;
      const res = await visitorFor(cookie).visit(call.path, { method: call.method, headers, ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }) });
      expectNoServerError(res, `${call.method} ${call.path}`);
      expectProblem(res);
    }),
    { numRuns: 600 },
  );
}, 180_000);
