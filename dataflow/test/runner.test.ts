import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MeterProvider, MetricReader, DataPointType } from '@opentelemetry/sdk-metrics';
import { LocalObjectStore, MemoryBus, listen } from '@shop/kit';
import { ANALYTICS_RUNNER_METRICS } from '@shop/dashboards';
import { RUNNER_METRIC_NAMES, createStatusApp, type JobStatus } from '@shop/dataflow';
import { createCheckpointStore } from '../src/runner/checkpoint';
import { jobWatermark } from '../src/runner/watermark';
import { emptyState } from '../src/runner/state';
import { activityEvent, inventoryEvent, orderEvent, random, uuidOf, type Published } from './support/events';
import { silentLogger, startInProcessJob, waitFor, type InProcessJob } from './support/harness';

describe('jobWatermark', () => {
  const rules = { maxOutOfOrdernessMs: 5_000, idleTimeoutMs: 60_000 };
  const now = 1_000_000;

  it('is the slowest active source minus the out-of-orderness, and never moves back', () => {
    const sources = [{ maxEventTimeMs: 900_000, lastEventAtMs: now }, { maxEventTimeMs: 800_000, lastEventAtMs: now - 1000 }];
    expect(jobWatermark(sources, null, now, rules)).toBe(795_000);
    expect(jobWatermark(sources, 850_000, now, rules)).toBe(850_000);
  });

  it('waits for a source that has seen nothing, unless it is idle; follows the clock when every source is idle', () => {
    expect(jobWatermark([{ maxEventTimeMs: 900_000, lastEventAtMs: now }, { maxEventTimeMs: null, lastEventAtMs: now - 10 }], 100, now, rules)).toBe(100);
    expect(jobWatermark([{ maxEventTimeMs: 900_000, lastEventAtMs: now }, { maxEventTimeMs: null, lastEventAtMs: now - 60_000 }], 100, now, rules)).toBe(895_000);
    expect(jobWatermark([{ maxEventTimeMs: 900_000, lastEventAtMs: now - 70_000 }], 100, now, rules)).toBe(now - 65_000);
  });
});

describe('checkpoint store', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'analytics-checkpoints-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const delta = (seq: number) => JSON.stringify({ seq, appliedUnderMs: null, allowedLatenessMs: 1, events: [], invalid: seq, watermarkMs: null, emittedAtMs: seq });
  const snapshot = (seq: number) => JSON.stringify({ ...emptyState(0), seq });

  it('keeps a snapshot and the deltas after it in a bounded set of objects, a crash anywhere leaving a consistent chain', async () => {
    const objects = new LocalObjectStore(folder);
    const store = createCheckpointStore(objects, 'gs://ckpt/shard-0', 4);
    expect(await store.load()).toEqual({ snapshot: null, deltas: [] });
    for (let seq = 1; seq <= 3; seq++) {
      expect(store.needsSnapshot(seq)).toBe(false);
      await store.commit(seq, { delta: delta(seq) });
    }
    expect(store.needsSnapshot(4)).toBe(true);
    await store.commit(4, { snapshot: snapshot(4) });
    await store.commit(5, { delta: delta(5) });
    let loaded = await createCheckpointStore(objects, 'gs://ckpt/shard-0', 4).load();
    expect([loaded.snapshot?.seq, loaded.deltas.map((d) => d.seq)]).toEqual([4, [5]]);

    // A crash after the next snapshot was written but before the head moved: the old chain still holds, slot 2 (seq 6) is new.
    await store.commit(6, { delta: delta(6) });
    await objects.write('gs://ckpt/shard-0/snapshot-b.json', snapshot(7));
    loaded = await createCheckpointStore(objects, 'gs://ckpt/shard-0', 4).load();
    expect([loaded.snapshot?.seq, loaded.deltas.map((d) => d.seq)]).toEqual([4, [5, 6]]);
    // Slot 3 still holds seq 3 from the lap before: not a successor of 6, so the chain ends there.
    expect(loaded.deltas.at(-1)?.seq).toBe(6);
  });
});

describe('the job in one process', () => {
  const rand = random(3);
  const t0 = Date.now() - 30 * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const product = uuidOf(rand);
  let h: InProcessJob;

  afterEach(async () => {
    await h?.close();
  });

  const publishAll = async (events: Published[]) => {
    for (const e of events) await h.bus.publish(e.topic, [e.message]);
  };
  const views = (n: number, from: number) =>
    Array.from({ length: n }, (_, i) => activityEvent({ id: uuidOf(rand), kind: 'product_viewed', time: iso(from + i * 1000), shopperId: `shopper-run-${i % 7}`, sessionId: `session-run-${i % 7}`, productId: product }, 1));
  const others = (at: number) => [
    inventoryEvent({ id: uuidOf(rand), type: 'inventory.stock_received', time: iso(at), sku: 'SKU-RUN', warehouseId: 'w1', deltaOnHand: 1, onHand: 1, reserved: 0, reorderPoint: null }, 1),
    orderEvent({ id: uuidOf(rand), type: 'order.paid', time: iso(at), orderId: uuidOf(rand), shopperId: 'shopper-run-0', currency: 'EUR', lines: [{ productId: product, categoryId: null, quantity: 1, unitPriceMinor: 100 }] }, 1),
  ];
  const total = (status: JobStatus) => status.shards.reduce((n, s) => n + s.counters.admitted, 0);
  const latestViews = async () => {
    const rows = await h.warehouse.read('product_activity_minute', { orderBy: [{ column: 'emitted_at' }] });
    const latest = new Map<string, number>();
    for (const r of rows) latest.set(String(r.window_start), Number(r.views));
    return [...latest.values()].reduce((n, v) => n + v, 0);
  };

  it('restarted midway from its checkpoint, counts every event once, copies included', async () => {
    h = await startInProcessJob({ shards: [0], shardCount: 1, settings: { panePeriodMs: 50, allowedLatenessMs: 3_600_000, maxOutOfOrdernessMs: 1000, idleTimeoutMs: 600_000, snapshotEvery: 5 } });
    const first = [...views(60, t0), ...others(t0)];
    await publishAll(first);
    await waitFor('the first events', () => total(h.status()) === 62 && h.status().shards[0]?.backlog === 0);
    await h.restart();
    // Copies of events already committed come again, as after lost acks, with new ones.
    await publishAll([...first.slice(0, 20), ...views(40, t0 + 120_000)]);
    await waitFor('the rest', () => total(h.status()) === 102 && h.status().shards[0]?.backlog === 0);
    expect(h.status().shards[0]?.counters).toMatchObject({ admitted: 102, duplicates: 20 });
    await h.job.stop();
    expect(await latestViews()).toBe(100);
  });

  it('writes final panes once every source has gone quiet and the lateness has passed', async () => {
    h = await startInProcessJob({ shards: [0], shardCount: 1, settings: { panePeriodMs: 50, allowedLatenessMs: 1000, maxOutOfOrdernessMs: 0, idleTimeoutMs: 300 } });
    const now = Date.now();
    await publishAll([...views(3, now - 120_000), ...others(now - 120_000)]);
    await waitFor('final panes', async () => (await h.warehouse.read('product_activity_minute', { where: [{ column: 'is_final', op: '=', value: true }] })).length > 0);
    const finals = await h.warehouse.read('inventory_minute', { where: [{ column: 'is_final', op: '=', value: true }] });
    expect(finals.map((r) => [r.sku, r.on_hand, r.pane_timing])).toEqual([['SKU-RUN', 1, 'ON_TIME']]);
    expect(h.status().shards[0]?.sources['activity-events']?.idle).toBe(true);
  });

  it('serves health, readiness and its status on its HTTP port', async () => {
    h = await startInProcessJob({ shards: [0], shardCount: 1, settings: { panePeriodMs: 50 } });
    let draining = false;
    const server = await listen(createStatusApp(h.job, { logger: silentLogger, readiness: { warehouse: () => h.warehouse.ping() }, isDraining: () => draining }), 0, '127.0.0.1');
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${server.url}/readyz`)).json()).toEqual({ status: 'ok', checks: { warehouse: 'ok' } });
      const status = (await (await fetch(`${server.url}/status`)).json()) as JobStatus;
      expect(status).toMatchObject({ shardCount: 1, shards: [{ shard: 0, backlog: 0, watermark: null, counters: { admitted: 0 } }] });
      draining = true;
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    } finally {
      await server.close();
    }
  });
});

class CollectingReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

describe('metrics', () => {
  it('exports exactly the instruments the analytics dashboard charts', async () => {
    for (const [key, metric] of Object.entries(ANALYTICS_RUNNER_METRICS)) {
      expect({ key, type: metric.type }).toEqual({ key, type: `workload.googleapis.com/${RUNNER_METRIC_NAMES[key as keyof typeof RUNNER_METRIC_NAMES]}` });
    }
    const reader = new CollectingReader();
    const provider = new MeterProvider({ readers: [reader] });
    const bus = new MemoryBus({ logger: silentLogger, maxInFlight: 1000 });
    const h = await startInProcessJob({ shards: [0], shardCount: 1, settings: { panePeriodMs: 50 }, bus, meter: provider.getMeter('analytics') });
    try {
      const bad = activityEvent({ id: '6f1c2b9e-1234-4abc-8def-0123456789ab', kind: 'product_viewed', time: new Date().toISOString(), shopperId: 'shopper-metrics', sessionId: 'session-metrics', productId: '0b7e6a52-5b8f-4f7e-9a1e-3c2d1e0f9a8b' }, 1);
      await bus.publish(bad.topic, [{ ...bad.message, data: Buffer.from('{') }, bad.message]);
      await waitFor('both messages', () => h.status().shards[0]?.backlog === 0 && (h.status().shards[0]?.counters.events ?? 0) === 1);
      const { resourceMetrics } = await reader.collect();
      const metrics = new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
      for (const metric of Object.values(ANALYTICS_RUNNER_METRICS)) {
        const name = metric.type.replace('workload.googleapis.com/', '');
        const found = metrics.get(name);
        const expected = metric.instrument === 'counter' ? DataPointType.SUM : DataPointType.GAUGE;
        // Gauges read only what exists: the watermark delay appears once there is a watermark.
        if (name !== RUNNER_METRIC_NAMES.watermarkDelay && name !== RUNNER_METRIC_NAMES.lateEvents) expect({ name, type: found?.dataPointType, unit: found?.descriptor.unit }).toEqual({ name, type: expected, unit: metric.unit });
      }
      const dead = metrics.get(RUNNER_METRIC_NAMES.deadLetteredEvents);
      expect(dead?.dataPoints.map((p) => [p.attributes.shard, p.value])).toEqual([['0', 1]]);
    } finally {
      await h.close();
      await provider.shutdown();
    }
  });
});
