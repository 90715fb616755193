import { orderEventDataSchema, TEST_CARDS } from '@shop/contracts';
import { availableOf, client, checkoutBody, outboxEvents, shopper, startPlatform, type Platform } from './support';
import { cardOf } from '../src/operations/checkout';

const LEASE_SECONDS = 1;
let p: Platform;

beforeAll(async () => {
  p = await startPlatform({ name: 'recovery', settings: { leaseSeconds: LEASE_SECONDS } });
  await p.product({ slug: 'desk-lamp', variants: [{ sku: 'LAMP', priceMinor: 8_900, stock: 20 }] });
});

afterAll(async () => {
  await p.close();
});

/** The instance that drove the checkout is gone; its lease runs out. */
const leaseRunsOut = () => new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 100));
const checkoutRow = (id: string) => p.databases.orders.db('checkouts').where({ id }).first();
const holdsOf = (reference: string) => p.databases.inventory.db('reservations').where({ reference }).select('id', 'status');

it('undoes a checkout interrupted after its stock was reserved and its order created', async () => {
  const who = shopper('crash-after-hold');
  const cart = await p.cart(who, [{ sku: 'LAMP', quantity: 3 }]);
  const before = await availableOf(p, 'LAMP');
  const body = checkoutBody(cart);

  const { owned, record } = await p.orders.saga.begin(body);
  expect(owned).toBe(true);
  const reserved = await p.orders.saga.step(record, cardOf(body));
  expect(reserved.step).toBe('authorizing');
  expect(await availableOf(p, 'LAMP')).toBe(before - 3);
  expect(await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).first()).toMatchObject({ status: 'pending_payment' });
  // The process stops here: nothing drives the checkout any more.
  await leaseRunsOut();

  expect(await p.orders.recovery.sweepOnce()).toBe(1);

  expect(await availableOf(p, 'LAMP')).toBe(before);
  expect(await holdsOf(body.checkoutId)).toEqual([expect.objectContaining({ status: 'released' })]);
  const order = await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).first();
  expect(order).toMatchObject({ status: 'cancelled', payment_state: 'voided', reason: 'checkout_interrupted' });
  expect((await outboxEvents(p, order.id)).map((e) => e.type)).toEqual(['order.placed', 'order.cancelled']);
  expect(await checkoutRow(body.checkoutId)).toMatchObject({ step: 'done', status: 'failed', outcome_status: 503 });
  // The shopper's retry of that checkout learns what happened; nothing is swept twice.
  const retry = await p.storefront.post('/v1/checkouts', body);
  expect(retry.status).toBe(503);
  expect(retry.body).toMatchObject({ type: expect.stringContaining('checkout-interrupted'), detail: expect.stringContaining('Nothing was charged') });
  expect(await p.orders.recovery.sweepOnce()).toBe(0);
});

it('finishes a checkout interrupted after the payment was authorized', async () => {
  const who = shopper('crash-after-auth');
  const cart = await p.cart(who, [{ sku: 'LAMP', quantity: 2 }]);
  const before = await availableOf(p, 'LAMP');
  const body = checkoutBody(cart);

  let record = (await p.orders.saga.begin(body)).record;
  record = await p.orders.saga.step(record, cardOf(body));
  record = await p.orders.saga.step(record, cardOf(body));
  expect(record.step).toBe('committing');
  expect(p.payments.payment(body.checkoutId)).toMatchObject({ state: 'authorized' });
  await leaseRunsOut();

  expect(await p.orders.recovery.sweepOnce()).toBe(1);

  const order = await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).first();
  expect(order).toMatchObject({ status: 'paid', payment_state: 'captured' });
  expect(p.payments.payment(body.checkoutId)).toMatchObject({ state: 'captured' });
  expect(await holdsOf(body.checkoutId)).toEqual([expect.objectContaining({ status: 'committed' })]);
  expect(await availableOf(p, 'LAMP')).toBe(before - 2);
  const events = await outboxEvents(p, order.id);
  expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.paid']);
  expect(orderEventDataSchema.parse(events[1]!.data).status).toBe('paid');
  const retry = await p.storefront.post('/v1/checkouts', body);
  expect(retry.status).toBe(201);
  expect(retry.body).toMatchObject({ id: order.id, status: 'paid' });
});

it('releases a hold taken by a checkout that stopped before it could record the reservation', async () => {
  const who = shopper('crash-mid-reserve');
  const cart = await p.cart(who, [{ sku: 'LAMP', quantity: 4 }]);
  const before = await availableOf(p, 'LAMP');
  const body = checkoutBody(cart);
  const { record } = await p.orders.saga.begin(body);
  // Inventory took the hold, but the answer never reached the stopped instance.
  const asOrders = client(p.inventoryUrl, p.issuer.sign({ subject: 'orders@test', roles: ['service'], warehouses: ['*'] }));
  const held = await asOrders.post('/v1/reservations', record.plan.reserve, { 'Idempotency-Key': record.id });
  expect(held.status).toBe(201);
  expect(await availableOf(p, 'LAMP')).toBe(before - 4);
  await leaseRunsOut();

  await p.orders.recovery.sweepAll();

  expect(await availableOf(p, 'LAMP')).toBe(before);
  expect(await holdsOf(body.checkoutId)).toEqual([expect.objectContaining({ id: held.body.id, status: 'released' })]);
  expect(await checkoutRow(body.checkoutId)).toMatchObject({ step: 'done', status: 'failed', order_id: null, reservation_id: held.body.id });
});

it('voids the authorization of a checkout stopped while the provider was answering', async () => {
  const who = shopper('crash-in-auth');
  const cart = await p.cart(who, [{ sku: 'LAMP', quantity: 1 }]);
  const before = await availableOf(p, 'LAMP');
  const body = checkoutBody(cart, { cardNumber: TEST_CARDS.timeout });
  let record = (await p.orders.saga.begin(body)).record;
  record = await p.orders.saga.step(record, cardOf(body));
  // The provider takes the authorization and the instance dies before hearing back.
  const controller = new AbortController();
  const hanging = p.payments.authorize({ paymentId: record.id, idempotencyKey: record.id, amountMinor: record.plan.totalMinor, currency: 'EUR', card: cardOf(body), signal: controller.signal });
  expect(p.payments.payment(record.id)).toMatchObject({ state: 'authorized' });
  await leaseRunsOut();

  await p.orders.recovery.sweepAll();

  expect(p.payments.payment(record.id)).toMatchObject({ state: 'voided' });
  expect(await availableOf(p, 'LAMP')).toBe(before);
  expect(await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).first()).toMatchObject({ status: 'cancelled', payment_state: 'voided' });
  controller.abort();
  await expect(hanging).rejects.toBeDefined();
});

it('lets a shopper cancel a pending order left by a stopped checkout, and not one still being paid', async () => {
  const who = shopper('cancel-pending');
  const cart = await p.cart(who, [{ sku: 'LAMP', quantity: 2 }]);
  const before = await availableOf(p, 'LAMP');
  const body = checkoutBody(cart);
  let record = (await p.orders.saga.begin(body)).record;
  record = await p.orders.saga.step(record, cardOf(body));
  const orderId = record.orderId!;

  const busy = await p.storefront.post(`/v1/orders/${orderId}/cancel?shopperId=${who}`, { reason: 'changed my mind' });
  expect(busy.status).toBe(409);
  expect(busy.body).toMatchObject({ type: expect.stringContaining('checkout-in-progress') });
  expect(busy.headers.get('retry-after')).toBe('1');
  await leaseRunsOut();

  const cancelled = await p.storefront.post(`/v1/orders/${orderId}/cancel?shopperId=${who}`, { reason: 'changed my mind' });

  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ id: orderId, status: 'cancelled', payment: { state: 'voided' } });
  expect(await availableOf(p, 'LAMP')).toBe(before);
  const events = await outboxEvents(p, orderId);
  expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.cancelled']);
  expect(orderEventDataSchema.parse(events[1]!.data).reason).toBe('changed my mind');
  expect((await p.storefront.post('/v1/checkouts', body)).body).toMatchObject({ status: 409, type: expect.stringContaining('checkout-cancelled') });
});

it('finishes a checkout stopped after its hold was committed, and completes an undo stopped half-way', async () => {
  const before = await availableOf(p, 'LAMP');
  const paying = checkoutBody(await p.cart(shopper('crash-after-commit'), [{ sku: 'LAMP', quantity: 1 }]));
  let paid = (await p.orders.saga.begin(paying)).record;
  for (let i = 0; i < 3; i++) paid = await p.orders.saga.step(paid, cardOf(paying));
  expect(paid.step).toBe('capturing');
  expect(await holdsOf(paying.checkoutId)).toEqual([expect.objectContaining({ status: 'committed' })]);

  const declining = checkoutBody(await p.cart(shopper('crash-mid-undo'), [{ sku: 'LAMP', quantity: 2 }]), { cardNumber: TEST_CARDS.declined });
  let declined = (await p.orders.saga.begin(declining)).record;
  for (let i = 0; i < 2; i++) declined = await p.orders.saga.step(declined, cardOf(declining));
  expect(declined).toMatchObject({ step: 'compensating', status: 'failed', outcomeStatus: 402 });
  expect(await availableOf(p, 'LAMP')).toBe(before - 3);
  await leaseRunsOut();

  expect(await p.orders.recovery.sweepOnce()).toBe(2);

  expect(await p.databases.orders.db('orders').where({ checkout_id: paying.checkoutId }).first()).toMatchObject({ status: 'paid', payment_state: 'captured' });
  expect(await p.databases.orders.db('orders').where({ checkout_id: declining.checkoutId }).first()).toMatchObject({ status: 'cancelled', payment_state: 'declined', reason: 'payment_declined' });
  expect(await holdsOf(declining.checkoutId)).toEqual([expect.objectContaining({ status: 'released' })]);
  expect(await availableOf(p, 'LAMP')).toBe(before - 1);
  expect((await p.storefront.post('/v1/checkouts', declining)).status).toBe(402);
  expect((await p.storefront.post('/v1/checkouts', paying)).status).toBe(201);
});
