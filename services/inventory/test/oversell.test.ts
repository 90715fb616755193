import { createDevIssuer, createTestDatabase, type TestDatabase } from '@shop/kit';
import { INVENTORY_MIGRATIONS_DIR } from '../src/app';
import { findDrift } from '../src/store/ledger';
import { startServiceProcess, type ServiceProcess } from './processes';
import { AUDIENCE, client, ISSUER, serveJwks, tokenFor } from './support';

let database: TestDatabase;
let jwks: { url: string; close(): Promise<void> };
let processes: ServiceProcess[] = [];
let token: string;
let adminToken: string;

beforeAll(async () => {
  database = await createTestDatabase(INVENTORY_MIGRATIONS_DIR, 'oversell');
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  jwks = await serveJwks(issuer);
  token = await tokenFor(issuer, ['service'], ['*'], 'orders-service');
  adminToken = await tokenFor(issuer, ['admin']);
  const env = {
    DATABASE_URL: database.url,
    JWKS_URL: jwks.url,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    REDIS_URL: 'redis://127.0.0.1:6379',
    LOCAL_OBJECTS_DIR: '/tmp',
    ...(process.env.PUBSUB_EMULATOR_HOST ? { PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST, PUBSUB_PROJECT_ID: 'shop-test' } : {}),
  };
  processes = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
  const admin = client(processes[0]!.url, adminToken);
  await admin.post('/v1/warehouses', { id: 'main', name: 'Main', priority: 1 });
  await admin.post('/v1/warehouses', { id: 'spare', name: 'Spare', priority: 2 });
  expect((await admin.post('/v1/stock/receive', { warehouseId: 'main', sku: 'HOT-1', quantity: 6 })).status).toBe(201);
  expect((await admin.post('/v1/stock/receive', { warehouseId: 'spare', sku: 'HOT-1', quantity: 4 })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await jwks.close();
  await database.drop();
});

it('gives exactly 10 holds to 200 concurrent buyers of 10 units across two service processes', async () => {
  // A live stream on the first process hears changes committed by the second, through Redis.
  const stream = await fetch(`${processes[0]!.url}/v1/stream/levels?skus=HOT-1`, { headers: { authorization: `Bearer ${token}` } });
  expect(stream.status).toBe(200);
  let streamed = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream.body!) {
      streamed += decoder.decode(chunk as Uint8Array, { stream: true });
      if (streamed.includes('"warehouseId":"spare","onHand":9')) return;
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      client(processes[i % 2]!.url, token).post<{ title?: string; type?: string; shortages?: unknown[] }>('/v1/reservations', {
        reference: `cart-${i}`,
        lines: [{ sku: 'HOT-1', quantity: 1 }],
      }),
    ),
  );
  const held = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status === 409);
  expect(held).toHaveLength(10);
  expect(refused).toHaveLength(190);
  for (const r of refused) {
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ title: 'Sold out', type: expect.stringContaining('sold-out') });
  }
  const rows = await database.db('stock_levels').where({ sku: 'HOT-1' }).select('warehouse_id', 'on_hand', 'reserved');
  expect(rows.reduce((n: number, r: { reserved: number }) => n + r.reserved, 0)).toBe(10);
  for (const r of rows as Array<{ on_hand: number; reserved: number }>) {
    expect(r.reserved).toBeLessThanOrEqual(r.on_hand);
    expect(r.on_hand).toBeGreaterThanOrEqual(0);
  }
  const active = await database.db('reservation_allocations').where({ sku: 'HOT-1' }).sum<Array<{ sum: string }>>('quantity as sum');
  expect(Number(active[0]!.sum)).toBe(10);
  expect(await findDrift(database.db)).toEqual([]);
  // Stock received through the second process shows up on the first one's stream.
  expect((await client(processes[1]!.url, adminToken).post('/v1/stock/receive', { warehouseId: 'spare', sku: 'HOT-1', quantity: 5 })).status).toBe(201);
  await Promise.race([reading, new Promise((_, reject) => setTimeout(() => reject(new Error(`stream saw: ${streamed.slice(-500)}`)), 10_000))]);
  expect(streamed).toContain('event: levels');
}, 60_000);
