import { orderEventDataSchema, type OrderView } from '@shop/contracts';
import { findDrift } from '@shop/inventory';
import { availableOf, checkoutBody, outboxEvents, shopper, startPlatform, type Platform } from './support';

let p: Platform;

beforeAll(async () => {
  p = await startPlatform({ name: 'actions' });
  await p.product({ slug: 'teapot', variants: [{ sku: 'TEAPOT', priceMinor: 3_900, stock: 10 }] });
});

afterAll(async () => {
  await p.close();
});

async function paidOrder(label: string, quantity = 1): Promise<OrderView> {
  const cart = await p.cart(shopper(label), [{ sku: 'TEAPOT', quantity }]);
  const res = await p.storefront.post<OrderView>('/v1/checkouts', checkoutBody(cart));
  expect(res.status).toBe(201);
  return res.body;
}

it('cancels a paid order: refunds the payment, releases the committed stock (sellable again) and says so in an event', async () => {
  const before = await availableOf(p, 'TEAPOT');
  const order = await paidOrder('cancel-paid', 3);
  expect(await availableOf(p, 'TEAPOT')).toBe(before - 3);

  const res = await p.storefront.post<OrderView>(`/v1/orders/${order.id}/cancel?shopperId=${order.shopperId}`, { reason: 'ordered twice' });

  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 'refunded', payment: { state: 'refunded' } });
  expect(await availableOf(p, 'TEAPOT')).toBe(before);
  const checkoutId = (await p.databases.orders.db('orders').where({ id: order.id }).first()).checkout_id as string;
  expect(p.payments.payment(checkoutId)).toMatchObject({ state: 'refunded' });
  expect(await p.databases.inventory.db('reservations').where({ reference: checkoutId }).first()).toMatchObject({ status: 'released' });
  const events = await outboxEvents(p, order.id);
  expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.paid', 'order.refunded']);
  expect(orderEventDataSchema.parse(events[2]!.data)).toMatchObject({ status: 'refunded', reason: 'ordered twice' });
  // The released units can be bought again.
  const again = await paidOrder('buys-released', before);
  expect(again.status).toBe('paid');
  expect(await findDrift(p.databases.inventory.db)).toEqual([]);
});

it('fulfils a paid order through inventory, then refuses to cancel it and refunds it without restocking', async () => {
  const restock = await p.inventoryAdmin.post('/v1/stock/receive', { warehouseId: 'main', sku: 'TEAPOT', quantity: 5 });
  expect(restock.status).toBe(201);
  const order = await paidOrder('fulfil', 2);
  const onHand = async () => Number((await p.databases.inventory.db('stock_levels').where({ sku: 'TEAPOT' }).sum<Array<{ s: string }>>('on_hand as s'))[0]!.s);
  const onHandBefore = await onHand();

  const fulfilled = await p.admin.post<OrderView>(`/v1/orders/${order.id}/fulfil`, {}, { 'Idempotency-Key': `fulfil-${order.id}` });
  expect(fulfilled.status).toBe(200);
  expect(fulfilled.body.status).toBe('fulfilled');
  expect(await onHand()).toBe(onHandBefore - 2);
  // A retry with the same key replays the answer instead of failing on the new state.
  const replay = await p.admin.post(`/v1/orders/${order.id}/fulfil`, {}, { 'Idempotency-Key': `fulfil-${order.id}` });
  expect(replay.status).toBe(200);
  expect(replay.headers.get('idempotent-replayed')).toBe('true');

  const cancel = await p.storefront.post(`/v1/orders/${order.id}/cancel?shopperId=${order.shopperId}`, { reason: 'too late' });
  expect(cancel.status).toBe(409);
  expect(cancel.body).toMatchObject({ type: expect.stringContaining('illegal-transition'), status: 409, detail: 'an order that is fulfilled cannot be cancelled' });
  expect((await p.admin.post(`/v1/orders/${order.id}/fulfil`, {})).status).toBe(409);

  const available = await availableOf(p, 'TEAPOT');
  const refunded = await p.admin.post<OrderView>(`/v1/orders/${order.id}/refund`, { reason: 'arrived broken' });
  expect(refunded.status).toBe(200);
  expect(refunded.body).toMatchObject({ status: 'refunded', payment: { state: 'refunded' } });
  // Shipped goods come back through returns, not by the refund.
  expect(await availableOf(p, 'TEAPOT')).toBe(available);
  expect((await outboxEvents(p, order.id)).map((e) => e.type)).toEqual(['order.placed', 'order.paid', 'order.fulfilled', 'order.refunded']);

  for (const action of ['cancel', 'refund'] as const) {
    const again = await p.admin.post(`/v1/orders/${order.id}/${action}`, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ type: expect.stringContaining('illegal-transition') });
  }
  expect(await findDrift(p.databases.inventory.db)).toEqual([]);
});

it('keeps staff actions from the storefront and orders of other shoppers from shoppers', async () => {
  const order = await paidOrder('guarded');
  expect((await p.storefront.post(`/v1/orders/${order.id}/fulfil`, {})).status).toBe(403);
  expect((await p.storefront.post(`/v1/orders/${order.id}/refund`, { reason: 'x' })).status).toBe(403);
  expect((await p.storefront.post(`/v1/orders/${order.id}/cancel?shopperId=${shopper('stranger')}`, { reason: 'x' })).status).toBe(404);
  const noShopper = await p.storefront.post(`/v1/orders/${order.id}/cancel`, { reason: 'x' });
  expect(noShopper.status).toBe(400);
  expect(noShopper.body).toMatchObject({ errors: [{ field: 'query.shopperId', message: 'is required' }] });
  expect((await p.storefront.get(`/v1/orders/${order.id}`)).status).toBe(400);
  expect((await p.admin.get(`/v1/orders/${order.id}`)).status).toBe(200);
  const anonymous = await fetch(`${p.ordersUrl}/v1/orders/${order.id}?shopperId=${order.shopperId}`);
  expect(anonymous.status).toBe(401);
  expect((await p.databases.orders.db('orders').where({ id: order.id }).first()).status).toBe('paid');
});

it('completes a cancel whose instance stopped after recording it, and refuses other changes meanwhile', async () => {
  const before = await availableOf(p, 'TEAPOT');
  const order = await paidOrder('stopped-cancel', 2);
  // The instance recorded the cancel and stopped before calling anyone; its lease is running.
  await p.databases.orders.db('orders').where({ id: order.id }).update({ pending_action: 'cancel', pending_reason: 'lost parcel fear', action_lease_until: p.databases.orders.db.raw("now() + interval '1 hour'") });
  const busy = await p.admin.post(`/v1/orders/${order.id}/fulfil`, {});
  expect(busy.status).toBe(409);
  expect(busy.body).toMatchObject({ type: expect.stringContaining('order-busy'), detail: 'The order is being cancelled; try again shortly' });
  expect(busy.headers.get('retry-after')).toBe('2');
  await p.databases.orders.db('orders').where({ id: order.id }).update({ action_lease_until: p.databases.orders.db.raw("now() - interval '1 second'") });

  expect(await p.orders.recovery.sweepOnce()).toBe(1);

  expect((await p.admin.get(`/v1/orders/${order.id}`)).body).toMatchObject({ status: 'refunded', payment: { state: 'refunded' } });
  expect(await availableOf(p, 'TEAPOT')).toBe(before);
  const last = (await outboxEvents(p, order.id)).at(-1)!;
  expect(orderEventDataSchema.parse(last.data)).toMatchObject({ status: 'refunded', reason: 'lost parcel fear' });
  expect(await p.databases.orders.db('orders').where({ id: order.id }).first()).toMatchObject({ pending_action: null, pending_reason: null });
});
