import { randomUUID } from 'node:crypto';
import { INVENTORY_SOURCE, ORDERS_SOURCE, productDetailSchema, TOPICS, toAttributes } from '@shop/contracts';
import { deadLetterTopicOf, MemoryBus, type EventBus } from '@shop/kit';
import { pruneSearchWords } from '../src/store/housekeeping';
import { createProduct, eventProcessed, publishStockLevel, startHarness, testLogger, waitFor, type Harness } from './support';

let bus: MemoryBus;
let h: Harness;
let productId: string;

beforeAll(async () => {
  bus = new MemoryBus({ logger: testLogger(), maxDeliveryAttempts: 3, redeliveryDelayMs: 10 });
  h = await startHarness({ bus });
  productId = (await createProduct(h, { slug: 'lantern', name: 'Lantern', variants: [{ sku: 'LANTERN-1', priceMinor: 2500 }] })).id;
});

afterAll(async () => {
  await h.close();
  await bus.close();
});

const available = async () => productDetailSchema.parse((await h.public.get('/v1/products/lantern')).body).variants[0]!.available;
const stored = async (warehouse: string) => ((await h.database.db('stock_levels').where({ sku: 'LANTERN-1', warehouse_id: warehouse }).first()) as { available: number } | undefined)?.available;

it('sums the latest level of each warehouse, and a late event never overwrites a newer one', async () => {
  const t = (s: number) => new Date(Date.UTC(2030, 0, 1, 12, 0, s)).toISOString();
  await eventProcessed(h, await publishStockLevel(bus, 'LANTERN-1', 'berlin', 5, t(10)));
  await eventProcessed(h, await publishStockLevel(bus, 'LANTERN-1', 'paris', 3, t(10)));
  expect(await available()).toBe(8);
  // Reported before the stored level: ignored.
  await eventProcessed(h, await publishStockLevel(bus, 'LANTERN-1', 'berlin', 50, t(5)));
  expect(await stored('berlin')).toBe(5);
  expect(await available()).toBe(8);
  // Same time as the stored one: events of one inventory transaction share it and arrive in order, so the later one counts.
  await eventProcessed(h, await publishStockLevel(bus, 'LANTERN-1', 'berlin', 4, t(10)));
  // A negative level (safety stock above on hand) never eats into another warehouse's units.
  await eventProcessed(h, await publishStockLevel(bus, 'LANTERN-1', 'paris', -2, t(20)));
  expect(await available()).toBe(4);
});

async function publishPaid(target: EventBus, id: string, quantity: number): Promise<void> {
  const data = {
    orderId: randomUUID(),
    orderNumber: 'SO-9',
    status: 'paid',
    shopperId: 'shopper-999',
    currency: 'EUR',
    subtotalMinor: 2500 * quantity,
    totalMinor: 2500 * quantity,
    lines: [{ productId, sku: 'LANTERN-1', name: 'Lantern', categoryId: null, quantity, unitPriceMinor: 2500, lineTotalMinor: 2500 * quantity }],
    placedAt: new Date().toISOString(),
    reason: null,
  };
  const attributes = toAttributes({ id, type: 'order.paid', source: ORDERS_SOURCE, subject: data.orderId, time: new Date().toISOString(), data });
  await target.publish(TOPICS.orders, [{ data: Buffer.from(JSON.stringify(data)), attributes }]);
}

it('counts units sold from paid orders once per event, however often it is delivered', async () => {
  const id = randomUUID();
  await publishPaid(bus, id, 3);
  await publishPaid(bus, id, 3);
  await publishPaid(bus, randomUUID(), 2);
  await waitFor('sales counted', async () => Number(((await h.database.db('product_sales').where({ product_id: productId }).first()) as { units: string } | undefined)?.units ?? 0) === 5);
  await new Promise((r) => setTimeout(r, 200));
  expect(((await h.database.db('product_sales').where({ product_id: productId }).first()) as { units: string }).units).toBe('5');
});

it('dead-letters an inventory event whose data breaks the contract, without applying any of it', async () => {
  const dead: string[] = [];
  await bus.subscribe(deadLetterTopicOf(TOPICS.inventory), 'projections-test.dlq', async (m) => {
    dead.push(m.attributes['ce-id'] ?? '');
  });
  const id = randomUUID();
  const data = { sku: 'LANTERN-1', warehouseId: 'berlin', level: { available: 'lots' } };
  const attributes = toAttributes({ id, type: 'inventory.stock_adjusted', source: INVENTORY_SOURCE, subject: 'LANTERN-1', time: new Date().toISOString(), data });
  await bus.publish(TOPICS.inventory, [{ data: Buffer.from(JSON.stringify(data)), attributes, orderingKey: 'LANTERN-1' }]);
  await waitFor('dead letter', () => dead.includes(id));
  expect(await h.database.db('processed_events').where({ event_id: id }).first()).toBeUndefined();
  expect(await available()).toBe(4);
});

it('prunes search words that no live name uses any more, so corrections only suggest words that match', async () => {
  const words = async () => ((await h.database.db('search_words').select('word')) as Array<{ word: string }>).map((w) => w.word);
  const gone = await createProduct(h, { slug: 'zebra-throw', name: 'Zebra Throw', variants: [{ sku: 'ZEBRA-1', priceMinor: 4000 }] });
  expect(await words()).toEqual(expect.arrayContaining(['zebra', 'throw', 'lantern']));
  await h.admin.delete(`/v1/admin/products/${gone.id}`);
  expect(await pruneSearchWords(h.database.db)).toBe(2);
  expect(await words()).toContain('lantern');
  expect(await words()).not.toContain('zebra');
});
