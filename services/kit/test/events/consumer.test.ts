import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { toAttributes } from '@shop/contracts';
import { consumeEvents, createTestDatabase, MemoryBus, type BusMessage, type TestDatabase } from '@shop/kit';
import { Inbox, silentLogger, waitFor } from './support';

let database: TestDatabase;
let bus: MemoryBus;

beforeAll(async () => {
  database = await createTestDatabase(path.resolve(__dirname, '../fixtures/no-migrations'), 'consumer');
  await database.db.raw('create table tally (event_id text primary key, n integer not null)');
  bus = new MemoryBus({ logger: silentLogger, redeliveryDelayMs: 10, maxDeliveryAttempts: 3 });
});

afterAll(async () => {
  await bus.close();
  await database.drop();
});

const event = (id: string, n: number): BusMessage => ({
  data: Buffer.from(JSON.stringify({ n })),
  attributes: toAttributes({ id, type: 'catalog.product_updated', source: '/test', subject: 'p-1', time: new Date().toISOString(), data: { n } }),
});

it('applies each event id once, in the transaction that records it, and retries after a failure', async () => {
  let failNext = true;
  const subscription = await consumeEvents({
    bus,
    db: database.db,
    logger: silentLogger,
    topic: 'consumer-topic',
    subscription: 'consumer-sub',
    consumer: 'tally',
    handle: async (e, trx) => {
      await trx('tally').insert({ event_id: e.id, n: (e.data as { n: number }).n });
      // The first attempt fails after writing: its row must roll back with the processed mark.
      if (failNext) {
        failNext = false;
        throw new Error('transient');
      }
    },
  });
  const id = randomUUID();
  await bus.publish('consumer-topic', [event(id, 1), event(id, 1), event(randomUUID(), 2)]);
  await waitFor('two tallied events', async () => Number(((await database.db('tally').count('* as c').first()) as { c: string }).c) === 2);
  await new Promise((r) => setTimeout(r, 100));
  expect((await database.db('tally').orderBy('n').select('n')).map((r: { n: number }) => r.n)).toEqual([1, 2]);
  expect(Number(((await database.db('processed_events').where({ consumer: 'tally' }).count('* as c').first()) as { c: string }).c)).toBe(2);
  await subscription.close();
});

it('dead-letters a message that is not a CloudEvent instead of applying it', async () => {
  const dlq = new Inbox();
  await bus.subscribe('bad-topic-dlq', 'bad-dlq-sub', dlq.handler);
  await consumeEvents({ bus, db: database.db, logger: silentLogger, topic: 'bad-topic', subscription: 'bad-sub', consumer: 'bad', handle: () => Promise.resolve() });
  await bus.publish('bad-topic', [{ data: Buffer.from('{}'), attributes: { 'ce-id': 'x' } }]);
  await dlq.waitForHandled(1);
  expect(dlq.handled[0]?.attributes.CloudPubSubDeadLetterSourceSubscription).toBe('bad-sub');
});
