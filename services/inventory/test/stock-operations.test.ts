import { findDrift } from '../src/store/ledger';
import { seed, startHarness, type Harness } from './support';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await seed(
    h,
    [
      { id: 'berlin', priority: 1 },
      { id: 'paris', priority: 2 },
    ],
    [
      { warehouseId: 'berlin', sku: 'TEE-RED-M', quantity: 5 },
      { warehouseId: 'paris', sku: 'TEE-RED-M', quantity: 8 },
      { warehouseId: 'berlin', sku: 'MUG-01', quantity: 20 },
    ],
  );
});

afterAll(async () => {
  await h.close();
});

afterEach(async () => {
  expect(await findDrift(h.database.db)).toEqual([]);
});

const manager = () => h.as(['manager']);
const service = () => h.as(['service']);

type Level = { onHand: number; reserved: number; committed: number; available: number; incoming: number; damaged: number; qualityHold: number; lowStock: boolean };
const level = async (warehouseId: string, sku: string): Promise<Level> => (await manager().get<Level>(`/v1/stock/${warehouseId}/${sku}`)).body;

async function outboxOf(sku: string): Promise<Array<{ type: string; data: { level: { onHand: number; available: number } } }>> {
  return h.database.db('outbox').where({ subject: sku }).orderBy('seq').select('type', 'data');
}

describe('receiving, adjusting and counting', () => {
  it('receives stock, records the ledger entry and publishes the resulting level through the outbox', async () => {
    const r = await manager().post('/v1/stock/receive', { warehouseId: 'berlin', sku: 'SOCK-1', quantity: 12, reference: 'PO-77' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sku: 'SOCK-1', warehouseId: 'berlin', level: { onHand: 12, available: 12 } });
    const ledger = await manager().get<{ items: Array<{ kind: string; reference: string; actor: string; delta: { onHand: number } }> }>('/v1/ledger?sku=SOCK-1');
    expect(ledger.body.items).toEqual([expect.objectContaining({ kind: 'receive', reference: 'PO-77', actor: 'manager@test', delta: expect.objectContaining({ onHand: 12 }) })]);
    const events = await outboxOf('SOCK-1');
    expect(events.map((e) => e.type)).toEqual(['inventory.stock_received']);
    expect(events[0]!.data.level).toMatchObject({ onHand: 12, available: 12 });
  });

  it('moves damaged units out of on hand into the damaged bucket', async () => {
    const r = await manager().post('/v1/stock/adjust', { warehouseId: 'berlin', sku: 'MUG-01', delta: -3, reason: 'damage' });
    expect(r.status).toBe(201);
    expect(await level('berlin', 'MUG-01')).toMatchObject({ onHand: 17, damaged: 3, available: 17 });
  });

  it('rejects an adjustment whose sign contradicts its reason, naming the field', async () => {
    const r = await manager().post('/v1/stock/adjust', { warehouseId: 'berlin', sku: 'MUG-01', delta: 2, reason: 'shrinkage' });
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ errors: [{ field: 'body.delta' }] });
  });

  it('refuses to adjust below zero with a conflict and leaves the stock as it was', async () => {
    const r = await manager().post('/v1/stock/adjust', { warehouseId: 'berlin', sku: 'MUG-01', delta: -1000, reason: 'correction' });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect((await level('berlin', 'MUG-01')).onHand).toBe(17);
  });

  it('applies a count only when on hand is still what the counter expected', async () => {
    const stale = await manager().post('/v1/stock/count', { warehouseId: 'berlin', sku: 'MUG-01', expectedOnHand: 99, countedOnHand: 15 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ currentOnHand: 17 });
    const ok = await manager().post('/v1/stock/count', { warehouseId: 'berlin', sku: 'MUG-01', expectedOnHand: 17, countedOnHand: 15 });
    expect(ok.status).toBe(201);
    expect((await level('berlin', 'MUG-01')).onHand).toBe(15);
  });

  it('keeps quality-hold stock unsellable until released', async () => {
    await manager().post('/v1/stock/receive', { warehouseId: 'paris', sku: 'LAMP-9', quantity: 4, qualityHold: true });
    expect(await level('paris', 'LAMP-9')).toMatchObject({ onHand: 0, qualityHold: 4, available: 0 });
    const moved = await manager().post('/v1/stock/move', { warehouseId: 'paris', sku: 'LAMP-9', from: 'quality_hold', to: 'on_hand', quantity: 3 });
    expect(moved.status).toBe(201);
    expect(await level('paris', 'LAMP-9')).toMatchObject({ onHand: 3, qualityHold: 1, available: 3 });
  });
});

describe('low stock', () => {
  it('emits inventory.low_stock once when crossing below the reorder point and resets when stock returns', async () => {
    await manager().post('/v1/stock/receive', { warehouseId: 'berlin', sku: 'PEN-5', quantity: 10 });
    expect((await manager().put('/v1/stock/berlin/PEN-5/settings', { reorderPoint: 5 })).status).toBe(200);
    for (let i = 0; i < 3; i++) await manager().post('/v1/stock/adjust', { warehouseId: 'berlin', sku: 'PEN-5', delta: -2, reason: 'shrinkage' });
    expect(await level('berlin', 'PEN-5')).toMatchObject({ onHand: 4, lowStock: true });
    await manager().post('/v1/stock/receive', { warehouseId: 'berlin', sku: 'PEN-5', quantity: 10 });
    await manager().post('/v1/stock/adjust', { warehouseId: 'berlin', sku: 'PEN-5', delta: -10, reason: 'shrinkage' });
    const types = (await outboxOf('PEN-5')).map((e) => e.type).filter((t) => t.startsWith('inventory.low_stock'));
    expect(types).toEqual(['inventory.low_stock', 'inventory.low_stock_cleared', 'inventory.low_stock']);
  });
});

describe('transfers', () => {
  it('ships stock into incoming at the destination and receives it into on hand, writing off a shortfall', async () => {
    const shipped = await manager().post<{ id: string; status: string }>('/v1/transfers', {
      fromWarehouseId: 'berlin',
      toWarehouseId: 'paris',
      lines: [{ sku: 'MUG-01', quantity: 6 }],
      reference: 'T-1',
    });
    expect(shipped.status).toBe(201);
    expect(await level('berlin', 'MUG-01')).toMatchObject({ onHand: 9 });
    expect(await level('paris', 'MUG-01')).toMatchObject({ onHand: 0, incoming: 6, available: 0 });
    const received = await manager().post(`/v1/transfers/${shipped.body.id}/receive`, { lines: [{ sku: 'MUG-01', receivedQuantity: 5 }] });
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({ status: 'received', lines: [{ sku: 'MUG-01', quantity: 6, receivedQuantity: 5 }] });
    expect(await level('paris', 'MUG-01')).toMatchObject({ onHand: 5, incoming: 0, available: 5 });
    const again = await manager().post(`/v1/transfers/${shipped.body.id}/receive`, {});
    expect(again.status).toBe(409);
  });

  it('returns stock to the source when a transfer in transit is cancelled', async () => {
    const shipped = await manager().post<{ id: string }>('/v1/transfers', { fromWarehouseId: 'paris', toWarehouseId: 'berlin', lines: [{ sku: 'MUG-01', quantity: 2 }] });
    await manager().post(`/v1/transfers/${shipped.body.id}/cancel`);
    expect(await level('paris', 'MUG-01')).toMatchObject({ onHand: 5, incoming: 0 });
    expect(await level('berlin', 'MUG-01')).toMatchObject({ incoming: 0 });
  });
});

describe('reservations', () => {
  type Reservation = { id: string; status: string; allocations: Array<{ sku: string; warehouseId: string; quantity: number }> };

  it('allocates by warehouse priority and splits a line across warehouses when one cannot cover it', async () => {
    const r = await service().post<Reservation>('/v1/reservations', { reference: 'cart-1', lines: [{ sku: 'TEE-RED-M', quantity: 7 }] });
    expect(r.status).toBe(201);
    expect(r.body.allocations).toEqual([
      { sku: 'TEE-RED-M', warehouseId: 'berlin', quantity: 5 },
      { sku: 'TEE-RED-M', warehouseId: 'paris', quantity: 2 },
    ]);
    await service().post(`/v1/reservations/${r.body.id}/release`, { reason: 'cart_abandoned' });
  });

  it('allocates from the warehouse with most stock under most_stock', async () => {
    const r = await service().post<Reservation>('/v1/reservations', { reference: 'cart-2', lines: [{ sku: 'TEE-RED-M', quantity: 1 }], strategy: 'most_stock' });
    expect(r.body.allocations).toEqual([{ sku: 'TEE-RED-M', warehouseId: 'paris', quantity: 1 }]);
    await service().post(`/v1/reservations/${r.body.id}/release`, {});
  });

  it('holds all lines or none and answers sold out with the shortages', async () => {
    const before = await level('berlin', 'MUG-01');
    const r = await service().post('/v1/reservations', { reference: 'cart-3', lines: [{ sku: 'MUG-01', quantity: 1 }, { sku: 'TEE-RED-M', quantity: 500 }] });
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ title: 'Sold out', shortages: [{ sku: 'TEE-RED-M', requested: 500, available: 13 }] });
    expect(await level('berlin', 'MUG-01')).toEqual(before);
  });

  it('commits a paid hold and fulfils it out of on hand', async () => {
    const r = await service().post<Reservation>('/v1/reservations', { reference: 'order-9', lines: [{ sku: 'MUG-01', quantity: 2 }] });
    const wh = r.body.allocations[0]!.warehouseId;
    const start = await level(wh, 'MUG-01');
    expect((await service().post(`/v1/reservations/${r.body.id}/commit`)).body).toMatchObject({ status: 'committed' });
    expect(await level(wh, 'MUG-01')).toMatchObject({ reserved: start.reserved - 2, committed: start.committed + 2 });
    expect((await service().post(`/v1/reservations/${r.body.id}/fulfil`)).body).toMatchObject({ status: 'fulfilled' });
    expect(await level(wh, 'MUG-01')).toMatchObject({ onHand: start.onHand - 2, committed: start.committed });
    expect((await service().post(`/v1/reservations/${r.body.id}/release`, {})).status).toBe(409);
  });

  it('commits and releases many holds at once, each on its own: a second commit of the same hold is refused, the rest go through', async () => {
    await manager().post('/v1/stock/receive', { warehouseId: 'berlin', sku: 'BATCH-1', quantity: 40 });
    const holds = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => (await service().post<{ id: string }>('/v1/reservations', { reference: `batch-${i}`, lines: [{ sku: 'BATCH-1', quantity: 2 }] })).body.id),
    );
    const [first, ...rest] = holds;
    const answers = await Promise.all([
      service().post<{ status: string }>(`/v1/reservations/${first!}/commit`),
      service().post<{ status: string }>(`/v1/reservations/${first!}/commit`),
      ...rest.slice(0, 9).map((id) => service().post<{ status: string }>(`/v1/reservations/${id}/commit`)),
      ...rest.slice(9).map((id) => service().post<{ status: string }>(`/v1/reservations/${id}/release`, { reason: 'cart_abandoned' })),
    ]);
    const [a, b, ...others] = answers;
    expect([a!.status, b!.status].sort()).toEqual([200, 409]);
    expect([a, b].find((r) => r!.status === 409)!.body).toMatchObject({ type: expect.stringMatching(/reservation-committed$/) });
    expect(others.map((r) => r.status)).toEqual(Array.from({ length: 19 }, () => 200));
    expect(others.slice(0, 9).map((r) => r.body.status)).toEqual(Array.from({ length: 9 }, () => 'committed'));
    expect(others.slice(9).map((r) => r.body.status)).toEqual(Array.from({ length: 10 }, () => 'released'));
    // 10 holds of 2 committed, 10 released: 20 committed units, nothing reserved, 20 sellable.
    expect(await level('berlin', 'BATCH-1')).toMatchObject({ onHand: 40, reserved: 0, committed: 20, available: 20 });
    const kinds = (await h.database.db('ledger').where({ sku: 'BATCH-1' }).select('kind')).map((r: { kind: string }) => r.kind);
    expect(kinds.filter((k) => k === 'commit')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'release')).toHaveLength(10);
  });

  it('replays the first answer for a retried reservation with the same Idempotency-Key', async () => {
    const body = { reference: 'checkout-42', lines: [{ sku: 'MUG-01', quantity: 1 }] };
    const first = await service().post<Reservation>('/v1/reservations', body, { 'idempotency-key': 'checkout-42' });
    const second = await service().post<Reservation>('/v1/reservations', body, { 'idempotency-key': 'checkout-42' });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(await h.database.db('reservations').where({ reference: 'checkout-42' }).count<Array<{ count: string }>>('* as count')).toEqual([{ count: '1' }]);
    const reused = await service().post('/v1/reservations', { ...body, lines: [{ sku: 'MUG-01', quantity: 2 }] }, { 'idempotency-key': 'checkout-42' });
    expect(reused.status).toBe(422);
  });

  it('stops counting an expired hold at once, and the sweeper releases it with an event', async () => {
    const start = await level('paris', 'TEE-RED-M');
    const r = await service().post<Reservation>('/v1/reservations', { reference: 'cart-exp', lines: [{ sku: 'TEE-RED-M', quantity: 3 }], ttlSeconds: 1, warehouseIds: ['paris'] });
    expect(r.status).toBe(201);
    expect((await level('paris', 'TEE-RED-M')).available).toBe(start.available - 3);
    await new Promise((res) => setTimeout(res, 1_300));
    expect((await level('paris', 'TEE-RED-M')).available).toBe(start.available);
    expect((await service().post(`/v1/reservations/${r.body.id}/commit`)).status).toBe(409);
    expect(await h.inventory.reservations.expireDue()).toBeGreaterThanOrEqual(1);
    expect((await service().get<Reservation>(`/v1/reservations/${r.body.id}`)).body.status).toBe('expired');
    expect(await level('paris', 'TEE-RED-M')).toMatchObject({ reserved: start.reserved, available: start.available });
    const expired = await h.database.db('outbox').where({ type: 'inventory.reservation_expired', subject: 'TEE-RED-M' }).select('data');
    expect(expired.map((e: { data: { reservationId: string } }) => e.data.reservationId)).toContain(r.body.id);
  });

  it('extends a hold so it survives past its first expiry', async () => {
    const r = await service().post<Reservation>('/v1/reservations', { reference: 'cart-ext', lines: [{ sku: 'MUG-01', quantity: 1 }], ttlSeconds: 1 });
    expect((await service().post(`/v1/reservations/${r.body.id}/extend`, { ttlSeconds: 60 })).status).toBe(200);
    await new Promise((res) => setTimeout(res, 1_200));
    await h.inventory.reservations.expireDue();
    expect((await service().post(`/v1/reservations/${r.body.id}/commit`)).body).toMatchObject({ status: 'committed' });
  });
});

describe('availability', () => {
  it('reports sellable stock per warehouse and in total for a batch of SKUs, zero for unknown ones', async () => {
    const r = await service().get<{ items: Array<{ sku: string; available: number; warehouses: Array<{ warehouseId: string; available: number }> }> }>(
      '/v1/availability?skus=TEE-RED-M,NOPE-1',
    );
    expect(r.status).toBe(200);
    const tee = r.body.items.find((i) => i.sku === 'TEE-RED-M')!;
    expect(tee.available).toBe(tee.warehouses.reduce((n, w) => n + w.available, 0));
    expect(tee.warehouses.map((w) => w.warehouseId)).toEqual(['berlin', 'paris']);
    expect(r.body.items.find((i) => i.sku === 'NOPE-1')).toEqual({ sku: 'NOPE-1', available: 0, warehouses: [] });
  });
});

describe('API description', () => {
  it('serves an OpenAPI 3.1 document listing the operations and a docs page', async () => {
    const res = await fetch(`${h.server.url}/openapi.json`);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/v1/reservations']!.post!.operationId).toBe('reserve');
    expect(doc.paths['/v1/stock/{warehouseId}/{sku}']!.get!.operationId).toBe('getStock');
    const page = await fetch(`${h.server.url}/docs`);
    expect(await page.text()).toContain('swagger-ui-bundle.js');
  });
});
