import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { ANALYTICS_JOB, SUBSCRIPTIONS, TOPICS, deadLetterTopic, shardFilter } from '@shop/contracts';
import { duckDbViews } from '@shop/dashboards';
import { createDuckDbWarehouse, ensureTopics, type ResultRow, type Warehouse } from '@shop/kit';
import type { JobStatus } from '@shop/dataflow';
import { startRunnerProcess, type RunnerProcess } from './support/process';
import { generateStream, type PlannedMessage } from './support/stream';
import { computeTruth } from './support/truth';
import { waitFor } from './support/harness';

/**
 * 100,000 events over the four topics through the Pub/Sub emulator into the built runner (one
 * process owning both shards of a two-shard job), SIGKILLed midway and restarted: the warehouse's
 * current panes, summed over shards by the analyst views, must equal aggregates computed straight
 * from the generated events, and every event later than the allowed lateness must be in dead_letter.
 */
const SHARDS = 2;
const PROJECT = `analytics-truth-${randomBytes(3).toString('hex')}`;
const MINUTE = 60_000;
const start = Math.floor((Date.now() - 4 * 60 * MINUTE) / MINUTE) * MINUTE;
const facts = generateStream({ seed: 20251201, startMs: start, spanMs: 60 * MINUTE, events: 100_000, shards: SHARDS, duplicateShare: 0.02, lateShare: 0.01, tooLate: 300, invalid: 90 });
const truth = computeTruth(facts);

const folder = mkdtempSync(path.join(tmpdir(), 'analytics-truth-'));
const env = {
  PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST ?? '',
  PUBSUB_PROJECT_ID: PROJECT,
  SHARD: '0,1',
  SHARDS: String(SHARDS),
  WAREHOUSE_FILE: path.join(folder, 'warehouse.duckdb'),
  LOCAL_OBJECTS_DIR: path.join(folder, 'objects'),
  CHECKPOINT_LOCATION: 'gs://analytics-truth/checkpoints',
  // Lateness beyond anything a redelivery after the kill can lag, so only the events from hours before are too late.
  ALLOWED_LATENESS_SECONDS: String(3 * 3600),
  MAX_OUT_OF_ORDERNESS_SECONDS: '5',
  IDLE_TIMEOUT_SECONDS: '900',
  PANE_PERIOD_SECONDS: '0.25',
  SNAPSHOT_EVERY: '200',
  MAX_IN_FLIGHT: '1000',
  MAX_PENDING: '2000',
  RESUBSCRIBE_AFTER_SECONDS: '10',
};

const sum = (status: JobStatus, pick: (c: JobStatus['shards'][number]['counters']) => number): number => status.shards.reduce((n, s) => n + pick(s.counters), 0);

async function publishAll(pubsub: PubSub, messages: readonly PlannedMessage[]): Promise<void> {
  const topics = new Map<string, ReturnType<PubSub['topic']>>();
  const topicOf = (name: string) => {
    let t = topics.get(name);
    if (!t) topics.set(name, (t = pubsub.topic(name, { messageOrdering: true, batching: { maxMessages: 500, maxMilliseconds: 20 } })));
    return t;
  };
  // Bounded in flight, so a slow emulator applies back-pressure instead of a flood of pending publishes.
  for (let i = 0; i < messages.length; i += 2000) {
    await Promise.all(messages.slice(i, i + 2000).map((m) => topicOf(m.topic).publishMessage({ data: m.message.data, attributes: m.message.attributes, ...(m.message.orderingKey ? { orderingKey: m.message.orderingKey } : {}) })));
  }
}

const key = (...parts: unknown[]): string => parts.map(String).join('|');

describe('the streaming job against a ground truth', () => {
  let pubsub: PubSub;
  let runner: RunnerProcess | undefined;
  let warehouse: Warehouse;
  let kills = 0;

  beforeAll(async () => {
    pubsub = new PubSub({ projectId: PROJECT });
    // The shard subscriptions as the infrastructure makes them (cdktf data stack): 60 s ack deadline, ten delivery attempts.
    await ensureTopics(pubsub, Object.values(TOPICS));
    for (const spec of SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name && s.filter !== null)) {
      if (![...Array(SHARDS).keys()].some((n) => spec.filter === shardFilter(n))) continue;
      await pubsub.topic(spec.topic).createSubscription(spec.name, {
        filter: spec.filter ?? undefined,
        enableMessageOrdering: spec.ordered,
        ackDeadlineSeconds: 60,
        deadLetterPolicy: { deadLetterTopic: `projects/${PROJECT}/topics/${deadLetterTopic(spec.topic)}`, maxDeliveryAttempts: 10 },
      });
    }
  });

  afterAll(async () => {
    await runner?.kill();
    await warehouse?.close();
    // The emulator is shared: leave nothing of this run in it.
    const [subscriptions] = await pubsub.getSubscriptions();
    await Promise.all(subscriptions.map((s) => s.delete()));
    const [topics] = await pubsub.getTopics();
    await Promise.all(topics.map((t) => t.delete()));
    await pubsub.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it(
    'survives a SIGKILL midway and writes exactly the aggregates of the events, late ones dead-lettered',
    async () => {
      runner = await startRunnerProcess(env);
      const phase1 = facts.plan.filter((m) => m.phase === 1);
      const phase2 = facts.plan.filter((m) => m.phase === 2);
      await publishAll(pubsub, phase1);
      // From here on the watermark is inside the stream, so the events from hours before are beyond the allowed lateness.
      await waitFor('both shards\' watermarks inside the stream', async () => {
        const status = await runner!.status();
        return status.shards.length === SHARDS && status.shards.every((s) => s.watermark !== null && Date.parse(s.watermark) >= start + MINUTE);
      }, 60_000);

      const publishing = publishAll(pubsub, phase2);
      await waitFor('40% of the events', async () => sum(await runner!.status(), (c) => c.admitted) >= 0.4 * facts.admitted, 120_000);
      await runner.kill();
      kills++;
      runner = await startRunnerProcess(env);
      await publishing;

      await waitFor(
        'every event accounted for',
        async () => {
          const status = await runner!.status();
          return sum(status, (c) => c.admitted) === facts.admitted && sum(status, (c) => c.tooLate) >= 300 && sum(status, (c) => c.invalid) >= 90 && status.shards.every((s) => s.backlog === 0);
        },
        150_000,
      ).catch(async (err: unknown) => {
        throw new Error(`${String(err)}; status ${JSON.stringify(await runner?.status())}; stderr ${runner?.errors().slice(-2000)}`);
      });
      const final = await runner.status();
      expect(sum(final, (c) => c.admitted)).toBe(facts.admitted);
      // The copies published are recognised by event id, whichever process saw the original.
      expect(sum(final, (c) => c.duplicates)).toBeGreaterThanOrEqual(facts.duplicates * 0.9);
      expect(await runner.stop()).toBe(0);
      runner = undefined;
      expect(kills).toBe(1);

      warehouse = await createDuckDbWarehouse({ file: env.WAREHOUSE_FILE, views: duckDbViews() });

      const activity = new Map<string, ResultRow>();
      for (const r of await warehouse.read('product_activity_by_minute')) activity.set(key(r.window_start, r.product_id), r);
      expect(activity.size).toBe(truth.activity.size);
      for (const [k, t] of truth.activity) {
        const r = activity.get(k);
        expect({ k, views: r?.views, add_to_carts: r?.add_to_carts, purchases: r?.purchases, units: r?.units, revenue_minor: r?.revenue_minor, currency: r?.currency, unique_shoppers: r?.unique_shoppers }).toEqual({ k, ...t });
      }

      const stock = new Map<string, ResultRow>();
      for (const r of await warehouse.read('inventory_minute_latest')) stock.set(key(r.window_start, r.sku, r.warehouse_id), r);
      expect(stock.size).toBe(truth.stock.size);
      for (const [k, t] of truth.stock) {
        const r = stock.get(k);
        expect({ k, on_hand: r?.on_hand, reserved: r?.reserved, available: r?.available, units_received: r?.units_received, units_shipped: r?.units_shipped, units_adjusted: r?.units_adjusted, low_stock: r?.low_stock }).toEqual({ k, ...t });
      }

      const sales = new Map<string, { orders: number; units: number; revenue_minor: number }>();
      for (const r of await warehouse.read('sales_minute_latest')) {
        const k = key(r.window_start, r.currency, r.category_id);
        const s = sales.get(k) ?? { orders: 0, units: 0, revenue_minor: 0 };
        sales.set(k, { orders: s.orders + Number(r.orders), units: s.units + Number(r.units), revenue_minor: s.revenue_minor + Number(r.revenue_minor) });
      }
      expect(Object.fromEntries([...sales].sort())).toEqual(Object.fromEntries([...truth.sales].sort()));
      const hourly = await warehouse.read('sales_hourly');
      expect(hourly.reduce((n, r) => n + Number(r.revenue_minor), 0)).toBe([...truth.sales.values()].reduce((n, s) => n + s.revenue_minor, 0));

      const coViews = new Map<string, number>();
      for (const r of await warehouse.read('co_views_latest')) {
        const k = key(String(r.window_start).slice(0, 10), r.product_id, r.co_product_id);
        coViews.set(k, (coViews.get(k) ?? 0) + Number(r.sessions));
      }
      for (const [k, n] of coViews) if (n === 0) coViews.delete(k);
      expect(coViews.size).toBe(truth.coViews.size);
      expect(Object.fromEntries([...coViews].sort())).toEqual(Object.fromEntries([...truth.coViews].sort()));
      const top = await warehouse.read('top_co_viewed_pairs', { where: [{ column: 'co_view_rank', op: '=', value: 1 }] });
      for (const r of top) expect(Number(r.sessions)).toBe(Math.max(...[...truth.coViews].filter(([k]) => k.startsWith(key(r.view_date, r.product_id, ''))).map(([, n]) => n)));

      const letters = (await warehouse.read('dead_letter')).map((r) => key(r.event_id, r.transform, String(r.reason).split(':')[0]));
      expect(letters.sort()).toEqual(facts.deadLetters.map((d) => key(d.eventId, d.transform, d.reason)).sort());

      // Late events within the lateness updated windows after their on-time panes.
      expect((await warehouse.read('product_activity_minute', { where: [{ column: 'pane_timing', op: '=', value: 'LATE' }], limit: 1 })).length).toBe(1);
    },
    300_000,
  );
});
