import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { ACTIVITY_SOURCE, ANALYTICS_JOB, SUBSCRIPTIONS, TOPICS, WAREHOUSE_TABLES, activityEventType, deadLetterTopic, shardFilter, toAttributes } from '@shop/contracts';
import {
  LocalObjectStore,
  PubSubBus,
  createDuckDbWarehouse,
  createLogger,
  ensureTopics,
  formatRow,
  median,
  startBenchProcess,
  type BusMessage,
  type Measurement,
  type Warehouse,
} from '@shop/kit';
import type { JobStatus } from '../runner/job';
import { startAnalyticsJob } from '../runner/job';

/**
 * The streaming job's benchmark on the Pub/Sub emulator (PUBSUB_EMULATOR_HOST):
 *  - throughput of the built runner (its own process, one shard) draining a backlog of product
 *    views, against a subscriber that only receives and acks the same backlog, in the same round;
 *  - latency from publishing an event to its row being in the warehouse, with early panes.
 * BENCH_EVENTS, BENCH_ROUNDS, BENCH_SECONDS and BENCH_RATE tune it.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const LATENCY_SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 200);
const MAX_IN_FLIGHT = 5_000;
const logger = createLogger({ service: 'analytics-bench', level: 'warn' });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function view(productId: string, time: Date): BusMessage {
  const data = { shopperId: `shopper-${productId.slice(0, 8)}`, sessionId: `session-${productId.slice(0, 8)}`, eventTime: time.toISOString(), productId, sku: null };
  const event = { id: randomUUID(), type: activityEventType('product_viewed'), source: ACTIVITY_SOURCE, subject: productId, time: time.toISOString(), data };
  return { data: Buffer.from(JSON.stringify(data)), attributes: toAttributes(event, { shard: '0' }) };
}

/** A fresh emulator project with the topics and shard 0's subscriptions as the infrastructure makes them, plus one for the baseline. */
async function project(): Promise<{ id: string; pubsub: PubSub }> {
  const id = `analytics-bench-${randomBytes(3).toString('hex')}`;
  const pubsub = new PubSub({ projectId: id });
  await ensureTopics(pubsub, Object.values(TOPICS));
  for (const spec of SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name && s.filter === shardFilter(0))) {
    await pubsub.topic(spec.topic).createSubscription(spec.name, {
      filter: spec.filter ?? undefined,
      enableMessageOrdering: spec.ordered,
      ackDeadlineSeconds: 60,
      deadLetterPolicy: { deadLetterTopic: `projects/${id}/topics/${deadLetterTopic(spec.topic)}`, maxDeliveryAttempts: 10 },
    });
  }
  await pubsub.topic(TOPICS.activity).createSubscription('bench-baseline', { ackDeadlineSeconds: 60 });
  return { id, pubsub };
}

/** The emulator is shared: a round leaves nothing behind. */
async function remove(pubsub: PubSub): Promise<void> {
  const [subscriptions] = await pubsub.getSubscriptions();
  await Promise.all(subscriptions.map((s) => s.delete()));
  const [topics] = await pubsub.getTopics();
  await Promise.all(topics.map((t) => t.delete()));
  await pubsub.close();
}

async function publish(pubsub: PubSub, messages: readonly BusMessage[]): Promise<void> {
  const topic = pubsub.topic(TOPICS.activity, { batching: { maxMessages: 1000, maxMilliseconds: 20 } });
  for (let i = 0; i < messages.length; i += 5000) {
    await Promise.all(messages.slice(i, i + 5000).map((m) => topic.publishMessage({ data: m.data, attributes: m.attributes })));
  }
  await topic.flush();
}

const throughput = (name: string, ops: number, seconds: number): Measurement => ({ name, ops, errors: 0, opsPerSecond: ops / seconds, p50Ms: 0, p99Ms: 0 });

/** The baseline: the kit's Pub/Sub subscriber with the runner's flow control, acking at once. */
async function baseline(projectId: string, events: number): Promise<Measurement> {
  const bus = new PubSubBus({ projectId, logger, maxInFlight: MAX_IN_FLIGHT });
  let received = 0;
  let started = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const subscription = await bus.subscribe(TOPICS.activity, 'bench-baseline', () => {
    // Timed from the first delivery, as the runner is timed once it is running.
    if (received === 0) started = performance.now();
    if (++received === events) done();
    return Promise.resolve();
  });
  await all;
  const seconds = (performance.now() - started) / 1000;
  await subscription.close();
  await bus.close();
  return throughput('baseline: subscriber that only receives and acks', events, seconds);
}

/** The built runner, one shard, draining the same backlog into a DuckDB file; timed from its first status on, so its start-up is left out. */
async function runner(projectId: string, events: number, folder: string): Promise<Measurement> {
  const runnerProcess = await startBenchProcess(path.resolve(__dirname, '../main.js'), {
    PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST ?? '',
    PUBSUB_PROJECT_ID: projectId,
    METADATA_SERVER_DETECTION: 'none',
    SHARD: '0',
    SHARDS: '1',
    WAREHOUSE_FILE: path.join(folder, `${projectId}.duckdb`),
    LOCAL_OBJECTS_DIR: path.join(folder, 'objects'),
    CHECKPOINT_LOCATION: `gs://analytics-bench/${projectId}`,
    PANE_PERIOD_SECONDS: '1',
    MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
    MAX_PENDING: String(MAX_IN_FLIGHT),
  });
  try {
    let first: { at: number; admitted: number } | null = null;
    for (;;) {
      const status = (await (await fetch(`${runnerProcess.url}/status`)).json()) as JobStatus;
      const admitted = status.shards[0]?.counters.admitted ?? 0;
      first ??= { at: performance.now(), admitted };
      if (admitted >= events && status.shards[0]?.backlog === 0) break;
      await sleep(50);
    }
    return throughput('runner: parse, window, write panes, checkpoint, ack', events - first.admitted, (performance.now() - first.at) / 1000);
  } finally {
    runnerProcess.stop();
    // Drained once its port closes: only then may the round's subscriptions go.
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${runnerProcess.url}/healthz`).then(() => true, () => false);
      if (!up) break;
      await sleep(100);
    }
  }
}

/** Notes when each product's first row lands in the warehouse. */
function timedWarehouse(inner: Warehouse, landed: Map<string, number>): Warehouse {
  return {
    ...inner,
    insert: async (table, rows) => {
      await inner.insert(table, rows);
      if (table.name !== WAREHOUSE_TABLES.productActivityMinute.name) return;
      const now = performance.now();
      for (const row of rows) {
        const product = String(row.values.product_id);
        if (!landed.has(product)) landed.set(product, now);
      }
    },
    read: (relation, query) => inner.read(relation, query),
    topCoViewed: (productId, query) => inner.topCoViewed(productId, query),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Events published at a steady rate, each its own product; the time until its row is written (default pane period). */
async function latency(folder: string): Promise<{ p50: number; p95: number; seen: number; sent: number }> {
  const { id, pubsub } = await project();
  const bus = new PubSubBus({ projectId: id, logger, maxInFlight: MAX_IN_FLIGHT });
  const landed = new Map<string, number>();
  const warehouse = timedWarehouse(await createDuckDbWarehouse({ file: path.join(folder, 'latency.duckdb') }), landed);
  const job = await startAnalyticsJob({ bus, warehouse, objects: new LocalObjectStore(path.join(folder, 'objects')), checkpointLocation: 'gs://analytics-bench/latency', shards: [0], shardCount: 1, logger });
  const sent = new Map<string, number>();
  const topic = pubsub.topic(TOPICS.activity, { batching: { maxMessages: 100, maxMilliseconds: 5 } });
  const deadline = performance.now() + LATENCY_SECONDS * 1000;
  while (performance.now() < deadline) {
    const tick = performance.now();
    const batch = Array.from({ length: Math.max(1, Math.round(RATE / 10)) }, () => randomUUID());
    await Promise.all(
      batch.map((product) => {
        sent.set(product, performance.now());
        const m = view(product, new Date());
        return topic.publishMessage({ data: m.data, attributes: m.attributes });
      }),
    );
    await sleep(Math.max(0, 100 - (performance.now() - tick)));
  }
  const settle = performance.now() + 20_000;
  while (landed.size < sent.size && performance.now() < settle) await sleep(100);
  await job.stop();
  await bus.close();
  await warehouse.close();
  await remove(pubsub);
  const latencies = [...sent].flatMap(([product, at]) => (landed.has(product) ? [(landed.get(product) ?? at) - at] : [])).sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p95: percentile(latencies, 95), seen: latencies.length, sent: sent.size };
}

async function main(): Promise<void> {
  if (!process.env.PUBSUB_EMULATOR_HOST) throw new Error('set PUBSUB_EMULATOR_HOST to a Pub/Sub emulator');
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const folder = mkdtempSync(path.join(tmpdir(), 'analytics-bench-'));
  try {
    console.log(`analytics job: ${EVENTS} product views per round, median of ${ROUNDS} rounds, Pub/Sub emulator ${process.env.PUBSUB_EMULATOR_HOST}`);
    const baselines: Measurement[] = [];
    const runners: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { id, pubsub } = await project();
      const messages = Array.from({ length: EVENTS }, (_, i) => view(`${(i % 500).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`, new Date(Date.now() - 60_000 + (i % 60_000))));
      await publish(pubsub, messages);
      baselines.push(await baseline(id, EVENTS));
      runners.push(await runner(id, EVENTS, folder));
      await remove(pubsub);
    }
    const base = median(baselines);
    const job = median(runners);
    console.log(formatRow(base));
    console.log(formatRow(job));
    console.log(`ratio runner / baseline = ${(job.opsPerSecond / base.opsPerSecond).toFixed(2)}x   (target ≥ 0.80x)`);
    const l = await latency(folder);
    console.log(`event → warehouse row, early panes every 5 s, ${RATE} events/s for ${LATENCY_SECONDS} s: p50 ${(l.p50 / 1000).toFixed(2)} s   p95 ${(l.p95 / 1000).toFixed(2)} s   (${l.seen} of ${l.sent} events; target p95 ≤ 15 s)`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
