import { fromMessage, orderEventDataSchema, ORDERS_SOURCE, TOPICS, type CloudEvent, type OrderView } from '@shop/contracts';
import { MemoryBus, type Subscription } from '@shop/kit';
import { cardOf } from '../src/operations/checkout';
import { availableOf, checkoutBody, eventually, shopper, silentLogger, startPlatform, type Platform } from './support';

let bus: MemoryBus;
let p: Platform;
let subscription: Subscription;
const published: CloudEvent[] = [];

beforeAll(async () => {
  bus = new MemoryBus({ logger: silentLogger() });
  subscription = await bus.subscribe(TOPICS.orders, 'test.order-events', async (message) => {
    published.push(fromMessage(message.attributes, message.data));
  });
  p = await startPlatform({ name: 'service', bus, service: true, settings: { leaseSeconds: 1 } });
  await p.product({ slug: 'kettle', variants: [{ sku: 'KETTLE', priceMinor: 4_900, stock: 10 }] });
});

afterAll(async () => {
  await subscription.close();
  await p.close();
  await bus.close();
});

it('publishes order events from the outbox to order-events as CloudEvents valid against the contracts', async () => {
  const cart = await p.cart(shopper('published'), [{ sku: 'KETTLE', quantity: 1 }]);
  const order = (await p.storefront.post<OrderView>('/v1/checkouts', checkoutBody(cart))).body;

  const events = await eventually('order events on the bus', async () => {
    const mine = published.filter((e) => e.subject === order.id);
    return mine.length === 2 ? mine : null;
  });
  expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.paid']);
  for (const e of events) {
    expect(e.source).toBe(ORDERS_SOURCE);
    expect(orderEventDataSchema.parse(e.data)).toMatchObject({ orderId: order.id, orderNumber: order.number });
  }
  // The relay marks rows published once the bus has accepted them.
  await eventually('the outbox rows marked published', async () => (await p.databases.orders.db('outbox').whereNull('published_at').pluck('id')).length === 0);
});

it('undoes a checkout whose instance stopped mid-way with the service\'s own recovery sweeper', async () => {
  const cart = await p.cart(shopper('swept'), [{ sku: 'KETTLE', quantity: 2 }]);
  const before = await availableOf(p, 'KETTLE');
  const body = checkoutBody(cart);
  // Another instance reserved the stock and created the order, then stopped.
  const { record } = await p.orders.saga.begin(body);
  await p.orders.saga.step(record, cardOf(body));
  expect(await availableOf(p, 'KETTLE')).toBe(before - 2);

  const order = await eventually('the running service to undo the checkout', async () => {
    const row = await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).first();
    return row?.status === 'cancelled' ? row : null;
  });
  expect(order).toMatchObject({ reason: 'checkout_interrupted' });
  expect(await availableOf(p, 'KETTLE')).toBe(before);
  await eventually('order.cancelled on the bus', async () => published.some((e) => e.subject === order.id && e.type === 'order.cancelled'));
});

it('reports ready, and not ready while draining', async () => {
  expect((await fetch(`${p.ordersUrl}/readyz`)).status).toBe(200);
  p.ordersService!.beginDrain();
  expect((await fetch(`${p.ordersUrl}/readyz`)).status).toBe(503);
  expect((await fetch(`${p.ordersUrl}/healthz`)).status).toBe(200);
});
