import path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { createTestDatabase, OutboxRelay, PubSubBus, writeOutbox, type OutboxEvent, type TestDatabase } from '@shop/kit';
import { startEmulator, type RunningEmulator } from '../../test-support/pubsub-emulator';
import { countBy, createTopicAndSubscription, Inbox, PROJECT_ID, silentLogger, sleep, stockEvent, uniqueName, waitFor } from './support';

const NO_MIGRATIONS = path.resolve(__dirname, '../fixtures/no-migrations');
const SKUS = ['SKU-1', 'SKU-2', 'SKU-3', 'SKU-4', 'SKU-5'];

describe('OutboxRelay across a Pub/Sub outage', () => {
  let emulator: RunningEmulator | undefined;
  let testDb: TestDatabase;

  beforeAll(async () => {
    testDb = await createTestDatabase(NO_MIGRATIONS, 'kit_outage');
  });

  afterAll(async () => {
    await emulator?.stop();
    await testDb?.drop();
  });

  it('keeps every event written while Pub/Sub is down and publishes each exactly once when it is back', async () => {
    emulator = await startEmulator();
    const { host, port } = emulator;
    const clientConfig = { apiEndpoint: host };
    const bus = new PubSubBus({ projectId: PROJECT_ID, logger: silentLogger, clientConfig, publishTimeoutMs: 1500 });
    const relay = new OutboxRelay({ db: testDb.db, bus, logger: silentLogger, pollIntervalMs: 100, initialBackoffMs: 100, maxBackoffMs: 300 });
    const topic = uniqueName('outage');
    let admin = new PubSub({ projectId: PROJECT_ID, ...clientConfig });
    await createTopicAndSubscription(admin, topic, `${topic}-sub`);
    await admin.close();

    await emulator.stop();
    await relay.start();
    const written: OutboxEvent[] = [];
    for (let t = 0; t < 10; t++) {
      const events = Array.from({ length: 100 }, (_, n) => stockEvent(topic, SKUS[(t * 100 + n) % SKUS.length], t * 100 + n));
      await testDb.db.transaction((trx) => writeOutbox(trx, events));
      written.push(...events);
    }
    await waitFor('failed publish attempts', () => relay.stats().failed >= SKUS.length, 30_000);

    const during = await testDb.db.raw<{ rows: { pending: string; tried: string; published: string }[] }>(
      `select count(*) filter (where published_at is null) as pending,
              count(*) filter (where attempts > 0) as tried,
              count(*) filter (where published_at is not null) as published
       from outbox`,
    );
    expect(during.rows[0]).toMatchObject({ pending: '1000', published: '0' });
    expect(Number(during.rows[0]?.tried)).toBeGreaterThanOrEqual(SKUS.length);
    expect(relay.stats().published).toBe(0);

    // The emulator forgets topics when it stops; the relay must not publish before the subscription is back.
    await relay.stop();
    emulator = await startEmulator({ port });
    admin = new PubSub({ projectId: PROJECT_ID, ...clientConfig });
    await createTopicAndSubscription(admin, topic, `${topic}-sub`);
    await admin.close();
    const inbox = new Inbox();
    await bus.subscribe(topic, `${topic}-sub`, inbox.handler);
    await relay.start();

    try {
      await inbox.waitForHandled(1000, 30_000);
      await waitFor('every row published', async () => (await relay.pendingCount()) === 0, 10_000);
      await sleep(1000);
    } finally {
      await relay.stop();
      await bus.close();
    }

    const counts = countBy(inbox.eventIds());
    expect(counts.size).toBe(1000);
    expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
    expect(new Set(counts.keys())).toEqual(new Set(written.map((e) => e.id)));
    for (const sku of SKUS) {
      const received = inbox.handled.filter((m) => m.orderingKey === sku).map((m) => m.attributes['ce-id']);
      expect(received).toEqual(written.filter((e) => e.orderingKey === sku).map((e) => e.id));
    }
    const after = await testDb.db.raw<{ rows: { unpublished: string }[] }>('select count(*) filter (where published_at is null) as unpublished from outbox');
    expect(after.rows[0]?.unpublished).toBe('0');
  });
});
