import fc from 'fast-check';
import type { CartView, OrderView } from '@shop/contracts';
import { checkoutBody, shopper, startPlatform, type Platform, type Reply } from './support';

let p: Platform;
let cart: CartView;
let order: OrderView;
let checkout: ReturnType<typeof checkoutBody>;

beforeAll(async () => {
  p = await startPlatform({ name: 'fuzz' });
  await p.product({ slug: 'fuzz-kettle', variants: [{ sku: 'KETTLE', priceMinor: 5_500, stock: 50 }] });
  const paid = await p.cart(shopper('fuzz-paid'), [{ sku: 'KETTLE', quantity: 1 }]);
  order = (await p.storefront.post<OrderView>('/v1/checkouts', checkoutBody(paid))).body;
  cart = await p.cart(shopper('fuzz'), [{ sku: 'KETTLE', quantity: 1 }]);
  checkout = checkoutBody(cart);
}, 60_000);

afterAll(async () => {
  await p.close();
});

const outboxCount = async (): Promise<number> => Number(((await p.databases.orders.db('outbox').count('* as c').first()) as { c: string }).c);

/** Values that tend to break parsers and arithmetic. */
const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 0, 1.5, 99, 100, 2 ** 31, Number.MAX_SAFE_INTEGER, '', ' ', '0', 'x\u0000', '../../etc', '%', "'; drop table orders; --", null, [], {}, true, '4242424242424242', '13/99'),
  fc.string({ maxLength: 300 }),
  fc.integer(),
);

/** Keeps the valid shape but replaces, drops or adds fields (nested objects too). */
const mutated = (valid: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> =>
  fc
    .tuple(
      fc.subarray(Object.keys(valid)),
      fc.dictionary(fc.constantFrom(...Object.keys(valid), 'extra', '__proto__', 'constructor'), nasty, { maxKeys: 3 }),
      fc.constantFrom(...Object.keys(valid)),
      fc.dictionary(fc.string({ maxLength: 12 }), nasty, { maxKeys: 2 }),
    )
    .map(([keep, overrides, nestedKey, nested]) => {
      const body: Record<string, unknown> = { ...Object.fromEntries(keep.map((k) => [k, valid[k]])), ...overrides };
      const inner = valid[nestedKey];
      if (inner && typeof inner === 'object' && !Array.isArray(inner)) body[nestedKey] = { ...(inner as Record<string, unknown>), ...nested };
      return body;
    });

const bodyFor = (valid: Record<string, unknown>) => fc.oneof({ weight: 4, arbitrary: mutated(valid) }, { weight: 1, arbitrary: fc.jsonValue() });

function expectProblem(res: Reply<unknown>): void {
  expect(res.status).toBeLessThan(500);
  if (res.status >= 400) {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: res.status, title: expect.any(String), type: expect.any(String) });
  }
}

it('answers every malformed mutation with a 4xx problem and never writes events for a refused one', async () => {
  const endpoints: Array<{ method: 'post' | 'put'; path: string; valid: Record<string, unknown>; as: 'storefront' | 'admin' }> = [
    { method: 'post', path: '/v1/carts', valid: { shopperId: cart.shopperId }, as: 'storefront' },
    { method: 'put', path: `/v1/carts/${cart.id}/lines/KETTLE`, valid: { shopperId: cart.shopperId, quantity: 2 }, as: 'storefront' },
    { method: 'post', path: '/v1/checkouts', valid: checkout, as: 'storefront' },
    { method: 'post', path: `/v1/orders/${order.id}/cancel?shopperId=${shopper('not-the-owner')}`, valid: { reason: 'x' }, as: 'storefront' },
    { method: 'post', path: `/v1/orders/${order.id}/refund`, valid: { reason: 'x' }, as: 'storefront' },
  ];
  let cases = 0;
  for (const endpoint of endpoints) {
    await fc.assert(
      fc.asyncProperty(bodyFor(endpoint.valid), async (payload) => {
        cases++;
        const before = await outboxCount();
        const res = await p[endpoint.as][endpoint.method](endpoint.path, payload);
        expectProblem(res);
        if (res.status >= 400 && res.status !== 409) expect(await outboxCount()).toBe(before);
      }),
      { numRuns: 150 },
    );
  }
  expect(cases).toBe(750);
  // The paid order was never touched by the refused cancels and refunds.
  expect((await p.admin.get(`/v1/orders/${order.id}`)).body).toMatchObject({ status: 'paid' });
}, 300_000);

it('answers malformed paths and queries with a 4xx problem', async () => {
  const segment = fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('', '..', '%00', '%ZZ', 'KETTLE', cart.id, order.id, 'x'.repeat(300)));
  await fc.assert(
    fc.asyncProperty(segment, segment, fc.string({ maxLength: 100 }), async (a, b, q) => {
      const enc = encodeURIComponent;
      const paths = [
        `/v1/carts/${enc(a)}?shopperId=${enc(q)}`,
        `/v1/carts/${cart.id}/lines/${enc(a)}?shopperId=${enc(b)}`,
        `/v1/orders/${enc(a)}?shopperId=${enc(q)}`,
        `/v1/orders/lookup?number=${enc(a)}&email=${enc(b)}`,
        `/v1/orders?limit=${enc(q)}&cursor=${enc(a)}&status=${enc(b)}`,
        `/v1/checkouts/${enc(a)}?shopperId=${enc(b)}`,
      ];
      for (const path of paths) {
        const who = path.startsWith('/v1/orders?') ? p.admin : p.storefront;
        expectProblem(await who.get(path));
      }
      expectProblem(await p.storefront.delete(`/v1/carts/${enc(a)}/lines/${enc(b)}?shopperId=${enc(q)}`));
    }),
    { numRuns: 120 },
  );
}, 120_000);

it('answers raw garbage bodies and wrong content types with a 4xx problem', async () => {
  const token = await p.issuer.sign({ subject: 'fuzz', roles: ['service'], warehouses: ['*'] });
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 500 }), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=latin1'), fc.constantFrom('/v1/checkouts', '/v1/carts'), async (text, type, path) => {
      const res = await fetch(`${p.ordersUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: text });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }),
    { numRuns: 200 },
  );
}, 120_000);
