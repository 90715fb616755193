import { PubSub } from '@google-cloud/pubsub';
import { createLogger, ensureTopics, OutboxRelay, PubSubBus, type ReceivedMessage, type Subscription } from '@shop/kit';
import { TOPICS, inventoryEventDataSchema } from '@shop/contracts';
import { startEmulator, type RunningEmulator } from '../../kit/test-support/pubsub-emulator';
import { seed, startHarness, type Harness } from './support';

process.env.METADATA_SERVER_DETECTION ??= 'none';

const PROJECT = 'inventory-outage';
let emulator: RunningEmulator;
let h: Harness;

beforeAll(async () => {
  emulator = await startEmulator();
  h = await startHarness();
  await seed(h, [{ id: 'east', priority: 1 }], []);
}, 60_000);

afterAll(async () => {
  await h.close();
  await emulator.stop();
});

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms: number) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

async function recreateTopology(host: string): Promise<void> {
  const pubsub = new PubSub({ projectId: PROJECT, apiEndpoint: host, emulatorMode: true });
  await ensureTopics(pubsub, [TOPICS.inventory]);
  await pubsub.topic(TOPICS.inventory).createSubscription('outage-check', { enableMessageOrdering: true });
  await pubsub.close();
}

it('accepts 1,000 stock changes while Pub/Sub is down and delivers every event once when it is back', async () => {
  const logger = createLogger({ service: 'test', level: 'silent' });
  const bus = new PubSubBus({ projectId: PROJECT, logger, clientConfig: { apiEndpoint: emulator.host, emulatorMode: true }, publishTimeoutMs: 1_000 });
  const relay = new OutboxRelay({ db: h.database.db, bus, logger, pollIntervalMs: 100, initialBackoffMs: 100, maxBackoffMs: 500 });
  await recreateTopology(emulator.host);
  await emulator.stop();
  await relay.start();

  const operator = h.as(['operator']);
  const statuses: number[] = [];
  for (let batch = 0; batch < 50; batch++) {
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => operator.post('/v1/stock/receive', { warehouseId: 'east', sku: `OUT-${i % 10}`, quantity: 1 + batch })),
    );
    statuses.push(...replies.map((r) => r.status));
  }
  expect(statuses.filter((s) => s === 201)).toHaveLength(1_000);
  await waitFor('failed publish attempts', async () => relay.stats().failed > 0, 30_000);
  expect(relay.stats().published).toBe(0);
  const outboxIds = ((await h.database.db('outbox').select('id')) as Array<{ id: string }>).map((r) => r.id);
  expect(outboxIds).toHaveLength(1_000);

  // The emulator keeps no state across restarts; production topics outlive an outage.
  await relay.stop();
  emulator = await startEmulator({ port: emulator.port });
  await recreateTopology(emulator.host);
  const received: ReceivedMessage[] = [];
  let subscription: Subscription | undefined;
  try {
    subscription = await bus.subscribe(TOPICS.inventory, 'outage-check', async (m) => {
      received.push(m);
    });
    await relay.start();
    await waitFor('all events delivered', () => received.length >= 1_000, 60_000);
    await new Promise((r) => setTimeout(r, 1_000)); // room for any duplicate to show up
    const ids = received.map((m) => m.attributes['ce-id']);
    expect(new Set(ids).size).toBe(1_000);
    expect(ids).toHaveLength(1_000);
    expect(new Set(ids)).toEqual(new Set(outboxIds));
    for (const m of received) {
      expect(m.orderingKey).toBe(m.attributes['ce-subject']);
      expect(inventoryEventDataSchema.safeParse(JSON.parse(m.data.toString())).success).toBe(true);
    }
    expect(await relay.pendingCount()).toBe(0);
  } finally {
    await subscription?.close();
    await relay.stop();
    await bus.close();
  }
}, 180_000);
