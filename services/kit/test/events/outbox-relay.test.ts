import path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { shardOf, toAttributes } from '@shop/contracts';
import { createDb, createTestDatabase, OutboxRelay, PubSubBus, writeOutbox, type OutboxEvent, type TestDatabase } from '@shop/kit';
import { countBy, createTopicAndSubscription, Inbox, PROJECT_ID, silentLogger, sleep, stockEvent, uniqueName, waitFor } from './support';

const NO_MIGRATIONS = path.resolve(__dirname, '../fixtures/no-migrations');

interface OutboxState {
  id: string;
  attempts: number;
  last_error: string | null;
  published: boolean;
}

describe('OutboxRelay with Postgres and the Pub/Sub emulator', () => {
  let testDb: TestDatabase;
  let bus: PubSubBus;
  let admin: PubSub;

  beforeAll(async () => {
    testDb = await createTestDatabase(NO_MIGRATIONS, 'kit_relay');
    bus = new PubSubBus({ projectId: PROJECT_ID, logger: silentLogger, publishTimeoutMs: 5000 });
    admin = new PubSub({ projectId: PROJECT_ID });
  });

  afterAll(async () => {
    await bus?.close();
    await admin?.close();
    await testDb?.drop();
  });

  beforeEach(async () => {
    await testDb.db('outbox').delete();
  });

  const relayOf = (options: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {}): OutboxRelay =>
    new OutboxRelay({ db: testDb.db, bus, logger: silentLogger, pollIntervalMs: 50, initialBackoffMs: 50, maxBackoffMs: 200, ...options });

  async function subscribedTopic(): Promise<{ topic: string; inbox: Inbox }> {
    const topic = uniqueName('relay');
    await createTopicAndSubscription(admin, topic, `${topic}-sub`);
    const inbox = new Inbox();
    await bus.subscribe(topic, `${topic}-sub`, inbox.handler);
    return { topic, inbox };
  }

  const outboxRows = async (): Promise<OutboxState[]> =>
    (await testDb.db.raw<{ rows: OutboxState[] }>('select id::text, attempts, last_error, published_at is not null as published from outbox order by seq')).rows;

  it('publishes events of a committed transaction once, with CloudEvents attributes, ordering key and shard', async () => {
    const { topic, inbox } = await subscribedTopic();
    const keyed = stockEvent(topic, 'SKU-42', 1);
    const unkeyed = stockEvent(topic, undefined, 2);
    const withShard: OutboxEvent = { ...stockEvent(topic, 'SKU-7', 3), attributes: { shard: '9', origin: 'import' } };
    await testDb.db.transaction((trx) => writeOutbox(trx, [keyed, unkeyed, withShard]));

    const relay = relayOf();
    expect(await relay.pendingCount()).toBe(3);
    expect(await relay.flushOnce()).toBe(3);
    await inbox.waitForHandled(3);
    expect(await relay.flushOnce()).toBe(0);
    await sleep(500);

    const byId = new Map(inbox.handled.map((m) => [m.attributes['ce-id'], m]));
    expect(inbox.handled).toHaveLength(3);
    expect(byId.get(keyed.id)?.attributes).toEqual(toAttributes(keyed, { shard: String(shardOf('SKU-42')) }));
    expect(byId.get(keyed.id)?.orderingKey).toBe('SKU-42');
    expect(JSON.parse(byId.get(keyed.id)?.data.toString() ?? 'null')).toEqual(keyed.data);
    expect(byId.get(unkeyed.id)?.attributes.shard).toBe(String(shardOf(unkeyed.subject)));
    expect(byId.get(unkeyed.id)?.orderingKey).toBeUndefined();
    expect(byId.get(withShard.id)?.attributes).toMatchObject({ shard: '9', origin: 'import', 'ce-subject': 'SKU-7' });
    expect(await outboxRows()).toEqual(
      [keyed, unkeyed, withShard].map((e) => ({ id: e.id, attempts: 0, last_error: null, published: true })),
    );
    expect(await relay.pendingCount()).toBe(0);
    expect(relay.stats()).toEqual({ published: 3, failed: 0, pending: 0 });
  });

  it('never publishes events of a rolled-back transaction', async () => {
    const { topic, inbox } = await subscribedTopic();
    const kept = stockEvent(topic, 'SKU-1', 1);
    await expect(
      testDb.db.transaction(async (trx) => {
        await writeOutbox(trx, [stockEvent(topic, 'SKU-1', 0), stockEvent(topic, 'SKU-2', 0)]);
        throw new Error('order rejected');
      }),
    ).rejects.toThrow('order rejected');
    await testDb.db.transaction((trx) => writeOutbox(trx, [kept]));

    expect(await relayOf().flushOnce()).toBe(1);
    await inbox.waitForHandled(1);
    await sleep(500);

    expect(inbox.eventIds()).toEqual([kept.id]);
    expect((await outboxRows()).map((r) => r.id)).toEqual([kept.id]);
  });

  it('rejects an event that could never be published, in the writer transaction', async () => {
    const bad = { ...stockEvent('inventory-events', 'SKU-1', 1), type: 'StockAdjusted' };
    await expect(testDb.db.transaction((trx) => writeOutbox(trx, [bad]))).rejects.toThrow(/ce-type/);
    expect(await outboxRows()).toEqual([]);
  });

  it('wakes on NOTIFY without waiting for the next poll', async () => {
    const { topic, inbox } = await subscribedTopic();
    const relay = relayOf({ pollIntervalMs: 60_000 });
    await relay.start();
    try {
      await sleep(200);
      const started = Date.now();
      await testDb.db.transaction((trx) => writeOutbox(trx, [stockEvent(topic, 'SKU-1', 1)]));
      await inbox.waitForHandled(1, 5000);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await relay.stop();
    }
  });

  it('listens again after its LISTEN connection is lost', async () => {
    const { topic, inbox } = await subscribedTopic();
    const relay = relayOf({ pollIntervalMs: 60_000 });
    await relay.start();
    try {
      const killed = await testDb.db.raw<{ rows: unknown[] }>(
        `select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`,
      );
      expect(killed.rows).toHaveLength(1);
      await waitFor('the listener to reconnect', async () => {
        const listening = await testDb.db.raw<{ rows: unknown[] }>(
          `select 1 from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%'`,
        );
        return listening.rows.length === 1;
      });

      await testDb.db.transaction((trx) => writeOutbox(trx, [stockEvent(topic, 'SKU-1', 1)]));
      await inbox.waitForHandled(1, 5000);
    } finally {
      await relay.stop();
    }
  });

  it('keeps a failed event ahead of later events of its ordering key, while other keys go on', async () => {
    const topic = uniqueName('relay-late');
    const relay = relayOf({ initialBackoffMs: 60_000, maxBackoffMs: 60_000 });
    const first = stockEvent(topic, 'SKU-A', 1);
    await testDb.db.transaction((trx) => writeOutbox(trx, [first]));

    // The topic does not exist yet, so the broker refuses the first event.
    expect(await relay.flushOnce()).toBe(0);
    const [failed] = await outboxRows();
    expect(failed).toMatchObject({ id: first.id, attempts: 1, published: false });
    expect(failed?.last_error).toMatch(/not found/i);

    await createTopicAndSubscription(admin, topic, `${topic}-sub`);
    const inbox = new Inbox();
    await bus.subscribe(topic, `${topic}-sub`, inbox.handler);
    const second = stockEvent(topic, 'SKU-A', 2);
    const other = stockEvent(topic, 'SKU-B', 3);
    await testDb.db.transaction((trx) => writeOutbox(trx, [second, other]));

    expect(await relay.flushOnce()).toBe(1);
    await inbox.waitForHandled(1);
    expect(inbox.eventIds()).toEqual([other.id]);
    expect((await outboxRows()).map((r) => [r.id, r.published])).toEqual([
      [first.id, false],
      [second.id, false],
      [other.id, true],
    ]);

    // As if the backoff had run out.
    await testDb.db('outbox').where({ id: first.id }).update({ next_attempt_at: testDb.db.fn.now() });
    expect(await relay.flushOnce()).toBe(2);
    await inbox.waitForHandled(3);
    expect(inbox.handled.filter((m) => m.orderingKey === 'SKU-A').map((m) => m.attributes['ce-id'])).toEqual([first.id, second.id]);
    expect(relay.stats()).toMatchObject({ published: 3, failed: 1 });
  });

  it('lets only one of two relays publish at a time, so nothing is published twice', async () => {
    const { topic, inbox } = await subscribedTopic();
    const otherReplicaDb = createDb({ url: testDb.url, poolMax: 5 });
    const relays = [relayOf({ batchSize: 20 }), relayOf({ batchSize: 20, db: otherReplicaDb })];
    await Promise.all(relays.map((r) => r.start()));
    const written: OutboxEvent[] = [];
    try {
      await Promise.all(
        Array.from({ length: 20 }, async (_, t) => {
          const events = Array.from({ length: 15 }, (_, n) => stockEvent(topic, `SKU-${t % 4}`, t * 100 + n));
          written.push(...events);
          await testDb.db.transaction((trx) => writeOutbox(trx, events));
        }),
      );
      await inbox.waitForHandled(300, 20_000);
      await waitFor('every row published', async () => (await relays[0]?.pendingCount()) === 0);
      await sleep(1000);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await otherReplicaDb.destroy();
    }

    const counts = countBy(inbox.eventIds());
    expect(counts.size).toBe(300);
    expect([...counts.values()].every((c) => c === 1)).toBe(true);
    expect(new Set(counts.keys())).toEqual(new Set(written.map((e) => e.id)));
    const [a, b] = relays.map((r) => r.stats().published);
    expect((a ?? 0) + (b ?? 0)).toBe(300);
  });
});
