import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import { startHarness, type Harness } from './support';

let h: Harness;
let serviceToken: string;

beforeAll(async () => {
  h = await startHarness();
  serviceToken = await h.issuer.sign({ subject: 'storefront', roles: ['service'], warehouses: ['*'] });
});

afterAll(async () => {
  await h.close();
});

const productId = randomUUID();
const valid: Record<string, unknown> = { type: 'cart_item_added', shopperId: 'shopper-zzzz', sessionId: 'session-zzzz', productId, sku: 'FZ-1', quantity: 1, priceMinor: 100, currency: 'EUR' };

const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 0, 1.5, 2 ** 31, Number.MAX_SAFE_INTEGER, '', ' ', 'x\u0000', '../../etc', "'; drop table x; --", null, [], {}, true, '9999-12-31T00:00:00Z', 'product_viewed'),
  fc.string({ maxLength: 200 }),
);

const mutated = fc
  .tuple(fc.subarray(Object.keys(valid)), fc.dictionary(fc.constantFrom(...Object.keys(valid), 'eventTime', 'eventId', 'extra', '__proto__'), nasty, { maxKeys: 3 }))
  .map(([keep, overrides]) => ({ ...Object.fromEntries(keep.map((k) => [k, valid[k]])), ...overrides }));

const bodies = fc.oneof(
  { weight: 3, arbitrary: mutated.map((event) => JSON.stringify({ events: [event] })) },
  { weight: 2, arbitrary: mutated.map((event) => JSON.stringify(event)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
);


it('answers malformed activity, beacons and cookies with 202 or a 4xx problem, never a 5xx', async () => {
  const seen = new Set<number>();
  await fc.assert(
    fc.asyncProperty(bodies, fc.constantFrom('/v1/activity', '/beacon'), fc.constantFrom('application/json', 'text/plain'), fc.oneof(fc.constant(undefined), fc.string({ maxLength: 200 })), async (body, path, type, cookie) => {
      const headers: Record<string, string> = { 'content-type': type };
      if (path === '/v1/activity') headers.authorization = `Bearer ${serviceToken}`;
      if (cookie !== undefined && /^[\x20-\x7e]*$/.test(cookie)) headers.cookie = cookie;
      const res = await fetch(h.url + path, { method: 'POST', headers, body });
      seen.add(res.status);
      if (res.status === 202) return;
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await res.json()) as { type: string; title: string; status: number };
      expect(problem.status).toBe(res.status);
    }),
    { numRuns: 400 },
  );
  // The generator reaches both sides of the validation.
  expect(seen.has(202)).toBe(true);
  expect(seen.has(400)).toBe(true);
});

it('answers malformed pixel queries with a 4xx problem', async () => {
  await fc.assert(
    fc.asyncProperty(fc.dictionary(fc.constantFrom('type', 'productId', 'sku', 'query', 'resultCount', 'eventId', 'x'), fc.string({ maxLength: 60 }), { maxKeys: 5 }), async (query) => {
      const res = await fetch(`${h.url}/beacon/pixel.gif?${new URLSearchParams(query).toString()}`);
      if (res.status === 200) return;
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }),
    { numRuns: 200 },
  );
});
