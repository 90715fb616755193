import fc from 'fast-check';
import { seed, startHarness, type Harness } from './support';

let h: Harness;
let transferId: string;
let reservationId: string;

beforeAll(async () => {
  h = await startHarness();
  await seed(h, [{ id: 'fz-a', priority: 1 }, { id: 'fz-b', priority: 2 }], [{ warehouseId: 'fz-a', sku: 'FZ-1', quantity: 50 }]);
  const admin = h.as(['admin']);
  transferId = (await admin.post<{ id: string }>('/v1/transfers', { fromWarehouseId: 'fz-a', toWarehouseId: 'fz-b', lines: [{ sku: 'FZ-1', quantity: 1 }] })).body.id;
  reservationId = (await admin.post<{ id: string }>('/v1/reservations', { reference: 'fz', lines: [{ sku: 'FZ-1', quantity: 1 }] })).body.id;
});

afterAll(async () => {
  await h.close();
});

const ledgerCount = async (): Promise<number> => Number(((await h.database.db('ledger').count('* as c').first()) as { c: string }).c);

/** A valid body per endpoint; the fuzzer keeps its shape and breaks its values. */
const endpoints: Array<{ method: 'post' | 'put' | 'patch'; path: () => string; valid: Record<string, unknown> }> = [
  { method: 'post', path: () => '/v1/warehouses', valid: { id: 'fz-new', name: 'New', priority: 3 } },
  { method: 'patch', path: () => '/v1/warehouses/fz-b', valid: { name: 'B', priority: 2, active: true } },
  { method: 'post', path: () => '/v1/stock/receive', valid: { warehouseId: 'fz-a', sku: 'FZ-1', quantity: 1, reference: 'r' } },
  { method: 'post', path: () => '/v1/stock/adjust', valid: { warehouseId: 'fz-a', sku: 'FZ-1', delta: -1, reason: 'damage' } },
  { method: 'post', path: () => '/v1/stock/count', valid: { warehouseId: 'fz-a', sku: 'FZ-1', expectedOnHand: 49, countedOnHand: 49 } },
  { method: 'post', path: () => '/v1/stock/move', valid: { warehouseId: 'fz-a', sku: 'FZ-1', from: 'on_hand', to: 'damaged', quantity: 1 } },
  { method: 'put', path: () => '/v1/stock/fz-a/FZ-1/settings', valid: { safetyStock: 1, reorderPoint: 2 } },
  { method: 'post', path: () => '/v1/transfers', valid: { fromWarehouseId: 'fz-a', toWarehouseId: 'fz-b', lines: [{ sku: 'FZ-1', quantity: 1 }] } },
  { method: 'post', path: () => `/v1/transfers/${transferId}/receive`, valid: { lines: [{ sku: 'FZ-1', receivedQuantity: 1 }] } },
  { method: 'post', path: () => '/v1/reservations', valid: { reference: 'x', lines: [{ sku: 'FZ-1', quantity: 1 }], ttlSeconds: 60, strategy: 'priority' } },
  { method: 'post', path: () => `/v1/reservations/${reservationId}/extend`, valid: { ttlSeconds: 60 } },
  { method: 'post', path: () => `/v1/reservations/${reservationId}/release`, valid: { reason: 'cancelled' } },
  { method: 'post', path: () => '/v1/imports', valid: { mode: 'receive', source: 'gs://b/o.csv', dryRun: true } },
];

/** Values that tend to break parsers and arithmetic. */
const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 0, 1.5, 2 ** 31, -(2 ** 31), Number.MAX_SAFE_INTEGER, '', ' ', '0', 'fz-a\u0000', '../../etc', '%', "'; drop table ledger; --", null, [], {}, true),
  fc.string({ maxLength: 300 }),
  fc.integer(),
);

/** Keeps the valid shape but replaces, drops or adds fields. */
const mutated = (valid: Record<string, unknown>) =>
  fc
    .tuple(fc.subarray(Object.keys(valid)), fc.dictionary(fc.constantFrom(...Object.keys(valid), 'extra', '__proto__', 'constructor'), nasty, { maxKeys: 3 }))
    .map(([keep, overrides]) => ({ ...Object.fromEntries(keep.map((k) => [k, valid[k]])), ...overrides }));

const body = (valid: Record<string, unknown>) => fc.oneof({ weight: 3, arbitrary: mutated(valid) }, { weight: 1, arbitrary: fc.jsonValue() });

it('answers every malformed mutation with a 4xx problem and never changes the ledger for a rejected one', async () => {
  const admin = h.as(['admin']);
  let cases = 0;
  for (const endpoint of endpoints) {
    await fc.assert(
      fc.asyncProperty(body(endpoint.valid), async (payload) => {
        cases++;
        const before = await ledgerCount();
        const res = await admin[endpoint.method](endpoint.path(), payload);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.headers.get('content-type')).toContain('application/problem+json');
          expect(res.body).toMatchObject({ status: res.status, title: expect.any(String), type: expect.any(String) });
          expect(await ledgerCount()).toBe(before);
        }
      }),
      { numRuns: 250 },
    );
  }
  expect(cases).toBeGreaterThanOrEqual(3_000);
}, 300_000);

it('answers raw garbage bodies and wrong content types with a 4xx problem', async () => {
  const token = await h.issuer.sign({ subject: 'fz', roles: ['admin'], warehouses: ['*'] });
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 500 }), fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'application/json; charset=latin1'), async (text, type) => {
      const res = await fetch(`${h.server.url}/v1/stock/receive`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: text });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }),
    { numRuns: 400 },
  );
}, 120_000);
