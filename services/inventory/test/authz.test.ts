import { PERMISSIONS, ROLES, type Permission } from '../src/domain/permissions';
import { client, seed, startHarness, type Harness } from './support';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await seed(
    h,
    [
      { id: 'north', priority: 1 },
      { id: 'south', priority: 2 },
    ],
    [
      { warehouseId: 'north', sku: 'AUTH-1', quantity: 1_000 },
      { warehouseId: 'south', sku: 'AUTH-1', quantity: 1_000 },
    ],
  );
});

afterAll(async () => {
  await h.close();
});

interface Case {
  name: string;
  permission: Permission;
  /** Runs the call against a warehouse; returns the status. */
  call: (c: ReturnType<Harness['as']>, warehouse: string) => Promise<number>;
  success: number;
}

const cases: Case[] = [
  { name: 'read a level', permission: 'stock.read', success: 200, call: async (c, w) => (await c.get(`/v1/stock/${w}/AUTH-1`)).status },
  { name: 'list a warehouse', permission: 'stock.read', success: 200, call: async (c, w) => (await c.get(`/v1/stock?warehouseId=${w}`)).status },
  { name: 'read the ledger', permission: 'ledger.read', success: 200, call: async (c, w) => (await c.get(`/v1/ledger?warehouseId=${w}`)).status },
  { name: 'receive', permission: 'stock.receive', success: 201, call: async (c, w) => (await c.post('/v1/stock/receive', { warehouseId: w, sku: 'AUTH-1', quantity: 1 })).status },
  { name: 'count', permission: 'stock.count', success: 201, call: async (c, w) => (await c.post('/v1/stock/count', { warehouseId: w, sku: 'AUTH-2', expectedOnHand: null, countedOnHand: 1 })).status },
  { name: 'adjust', permission: 'stock.adjust', success: 201, call: async (c, w) => (await c.post('/v1/stock/adjust', { warehouseId: w, sku: 'AUTH-1', delta: 1, reason: 'correction' })).status },
  { name: 'move', permission: 'stock.move', success: 201, call: async (c, w) => (await c.post('/v1/stock/move', { warehouseId: w, sku: 'AUTH-1', from: 'on_hand', to: 'damaged', quantity: 1 })).status },
  { name: 'change settings', permission: 'stock.settings', success: 200, call: async (c, w) => (await c.put(`/v1/stock/${w}/AUTH-1/settings`, { safetyStock: 1 })).status },
  {
    name: 'ship a transfer',
    permission: 'stock.transfer',
    success: 201,
    call: async (c, w) => (await c.post('/v1/transfers', { fromWarehouseId: w, toWarehouseId: w === 'north' ? 'south' : 'north', lines: [{ sku: 'AUTH-1', quantity: 1 }] })).status,
  },
  { name: 'reserve', permission: 'reservations.write', success: 201, call: async (c, w) => (await c.post('/v1/reservations', { reference: 'authz', lines: [{ sku: 'AUTH-1', quantity: 1 }], warehouseIds: [w] })).status },
  { name: 'rename a warehouse', permission: 'warehouses.manage', success: 200, call: async (c, w) => (await c.patch(`/v1/warehouses/${w}`, { name: `Renamed ${w}` })).status },
];

describe.each(ROLES)('role %s', (role) => {
  it.each(cases)('$name: allowed only with the permission and only inside its warehouses', async (c) => {
    const permitted = PERMISSIONS[role].includes(c.permission);
    const scoped = h.as([role], ['north']);
    expect(await c.call(scoped, 'north')).toBe(permitted ? c.success : 403);
    // Service principals act for every warehouse; staff scoped to north never reach south.
    expect(await c.call(scoped, 'south')).toBe(403);
  });
});

it('answers 401 without a token, with a bad token, and with a token from another issuer', async () => {
  const anonymous = client(h.server.url, null);
  const r = await anonymous.get('/v1/stock/north/AUTH-1');
  expect(r.status).toBe(401);
  expect(r.headers.get('content-type')).toContain('application/problem+json');
  expect((await client(h.server.url, 'not.a.jwt').get('/v1/stock/north/AUTH-1')).status).toBe(401);
  const { createDevIssuer } = await import('@shop/kit');
  const stranger = await createDevIssuer('https://identity.test/', 'inventory');
  const forged = await stranger.sign({ subject: 'mallory', roles: ['admin'], warehouses: ['*'] });
  expect((await client(h.server.url, forged).get('/v1/stock/north/AUTH-1')).status).toBe(401);
});

it('lists only the warehouses in the caller\'s scope', async () => {
  const r = await h.as(['viewer'], ['south']).get<{ items: Array<{ id: string }> }>('/v1/warehouses');
  expect(r.body.items.map((w) => w.id)).toEqual(['south']);
});
