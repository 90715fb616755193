import { WAREHOUSE_TABLE_LIST } from '@shop/contracts';
import { parseMessage, runBounded, type RawMessage, type RowValues } from '@shop/dataflow';
import { ShardPipeline } from '../src/runner/pipeline';
import { restoreState } from '../src/runner/restore';
import { emptyState } from '../src/runner/state';
import type { CycleDelta } from '../src/runner/checkpoint';
import { activityEvent, inventoryEvent, random, uuidOf } from './support/events';
import { generateStream } from './support/stream';
import { computeTruth } from './support/truth';

/**
 * The shard state machine without any I/O: on a generated stream in publish order, firing every
 * few hundred events at the watermark its sources give, it reaches the ground truth; a bounded
 * run reaches it too; a state rebuilt from a snapshot and the cycles after it is the live state.
 */
const MINUTE = 60_000;
const LATENESS = 3 * 60 * MINUTE;
const SHARDS = 2;
const start = Math.floor((Date.now() - 4 * 60 * MINUTE) / MINUTE) * MINUTE;
const facts = generateStream({ seed: 7, startMs: start, spanMs: 60 * MINUTE, events: 20_000, shards: SHARDS, duplicateShare: 0.02, lateShare: 0.01, tooLate: 40, invalid: 12 });
const truth = computeTruth(facts);
const received = new Date().toISOString();
const KEYS = new Map(WAREHOUSE_TABLE_LIST.map((t) => [t.name, t.key]));

const messagesOf = (shard: number): RawMessage[] =>
  facts.plan.flatMap((m, i) => (m.message.attributes.shard === String(shard) ? [{ topic: m.topic, messageId: String(i), data: m.message.data.toString(), attributes: m.message.attributes, receivedAt: received }] : []));

const coViewKey = (r: RowValues): string => `${String(r.window_start).slice(0, 10)}|${String(r.product_id)}|${String(r.co_product_id)}`;

/** Sums per key over shards of the latest row per key and shard, as the analyst views do. */
function summed(rows: Iterable<[string, RowValues]>, key: (r: RowValues) => string, value: (r: RowValues) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [, r] of rows) out.set(key(r), (out.get(key(r)) ?? 0) + value(r));
  for (const [k, n] of out) if (n === 0) out.delete(k);
  return out;
}

/** Runs a shard's messages through the pipeline, firing every `every` messages at the sources' watermark. */
function stream(shard: number, every: number, onCycle?: (pipeline: ShardPipeline, delta: CycleDelta) => void): { latest: Map<string, RowValues>; pipeline: ShardPipeline; deadLetters: number } {
  const pipeline = new ShardPipeline(emptyState(shard), LATENESS);
  const latest = new Map<string, RowValues>();
  let deadLetters = 0;
  let batch: CycleDelta['events'] = [];
  let invalid = 0;
  let appliedUnderMs = pipeline.state.watermarkMs;
  let emittedAtMs = Date.parse(received);
  const fire = (): void => {
    const sources = ['activity-events', 'inventory-events', 'order-events'].map((t) => pipeline.state.sources[t]);
    const watermarkMs = sources.some((s) => s === undefined) ? null : Math.min(...(sources as number[])) - 5000;
    emittedAtMs += 1000;
    for (const row of pipeline.fire(watermarkMs, emittedAtMs)) latest.set(`${row.table}|${(KEYS.get(row.table) ?? []).map((c) => String(row.values[c])).join('|')}`, row.values);
    onCycle?.(pipeline, { seq: pipeline.state.seq + 1, appliedUnderMs, allowedLatenessMs: LATENESS, events: batch, invalid, watermarkMs, emittedAtMs });
    pipeline.state.seq += 1;
    batch = [];
    invalid = 0;
    appliedUnderMs = pipeline.state.watermarkMs;
  };
  messagesOf(shard).forEach((raw, i) => {
    const parsed = parseMessage(raw, { maxFutureMs: 600_000 });
    if (!parsed.ok) {
      invalid += 1;
      pipeline.state.counters.invalid += 1;
      deadLetters += 1;
    } else {
      batch.push(parsed.event);
      deadLetters += pipeline.apply(parsed.event, raw).deadLetters.length;
    }
    if ((i + 1) % every === 0) fire();
  });
  fire();
  return { latest, pipeline, deadLetters };
}

describe('the shard pipeline', () => {
  it('streams a shuffled, duplicated, partly late stream to exactly the ground truth, shards summed', () => {
    const runs = [0, 1].map((shard) => stream(shard, 300));
    const rows = runs.flatMap((r) => [...r.latest].map(([k, v]): [string, RowValues] => [k, v]));
    const coViews = summed(rows.filter(([k]) => k.startsWith('co_views|')), coViewKey, (r) => Number(r.sessions));
    expect(Object.fromEntries([...coViews].sort())).toEqual(Object.fromEntries([...truth.coViews].sort()));
    const views = summed(rows.filter(([k]) => k.startsWith('product_activity_minute|')), (r) => `${String(r.window_start)}|${String(r.product_id)}`, (r) => Number(r.views));
    expect(Object.fromEntries([...views].sort())).toEqual(Object.fromEntries([...truth.activity].filter(([, t]) => t.views > 0).map(([k, t]) => [k, t.views]).sort()));
    expect(runs.reduce((n, r) => n + r.pipeline.state.counters.admitted, 0)).toBe(facts.admitted);
    expect(runs.reduce((n, r) => n + r.deadLetters, 0)).toBe(facts.deadLetters.length);
  });

  it('reaches the same truth as a bounded run, which fires each window once, final', () => {
    const rows = [0, 1].flatMap((shard) => runBounded(messagesOf(shard), { shard, emittedAt: received }).rows.co_views ?? []);
    expect(rows.every((r) => r.is_final === true && r.pane_timing === 'ON_TIME')).toBe(true);
    const coViews = summed(rows.map((r, i): [string, RowValues] => [String(i), r]), coViewKey, (r) => Number(r.sessions));
    expect(Object.fromEntries([...coViews].sort())).toEqual(Object.fromEntries([...truth.coViews].sort()));
  });

  it('rebuilds exactly the live state from a snapshot and the cycles after it', () => {
    let snapshot: string | null = null;
    const deltas: CycleDelta[] = [];
    let cycles = 0;
    let checked = 0;
    stream(0, 100, (pipeline, delta) => {
      cycles += 1;
      // The cycle is committed once its delta would be written: mirror what the store holds.
      if (cycles % 15 === 0) {
        snapshot = JSON.stringify({ ...pipeline.state, seq: delta.seq });
        deltas.length = 0;
      } else deltas.push(JSON.parse(JSON.stringify(delta)) as CycleDelta);
      if (cycles % 7 === 0 && snapshot !== null) {
        const rebuilt = restoreState(0, { snapshot: JSON.parse(snapshot), deltas: [...deltas] }, LATENESS);
        expect(JSON.parse(JSON.stringify(rebuilt))).toEqual(JSON.parse(JSON.stringify({ ...pipeline.state, seq: delta.seq })));
        checked += 1;
      }
    });
    expect(checked).toBeGreaterThan(3);
  });
});

describe('panes', () => {
  const rand = random(11);
  const product = uuidOf(rand);
  const t0 = Date.UTC(2025, 2, 10, 10, 0, 0);
  const iso = (ms: number): string => new Date(ms).toISOString();
  const view = (ms: number, shopper = 'shopper-panes-1', id = uuidOf(rand)) => {
    const p = activityEvent({ id, kind: 'product_viewed', time: iso(ms), shopperId: shopper, sessionId: `${shopper}-s`, productId: product }, 1);
    return { topic: p.topic, messageId: id, data: p.message.data.toString(), attributes: p.message.attributes, receivedAt: iso(t0 + 3_600_000) };
  };
  const apply = (pipeline: ShardPipeline, raw: RawMessage) => {
    const parsed = parseMessage(raw, { maxFutureMs: 600_000 });
    if (!parsed.ok) throw new Error(parsed.deadLetter.reason);
    return pipeline.apply(parsed.event, raw);
  };
  const minuteRows = (rows: ReturnType<ShardPipeline['fire']>) => rows.filter((r) => r.table === 'product_activity_minute').map((r) => [r.values.window_start, r.values.views, r.values.pane_timing, r.values.is_final]);

  it('fires early panes of changed keys, every key on time and final, late panes after, and dead-letters what is too late', () => {
    const pipeline = new ShardPipeline(emptyState(0), 5 * MINUTE);
    apply(pipeline, view(t0 + 1000));
    apply(pipeline, view(t0 + 2000, 'shopper-panes-2'));
    expect(minuteRows(pipeline.fire(t0 + 30_000, t0 + 31_000))).toEqual([[iso(t0), 2, 'EARLY', false]]);
    // Nothing changed and the watermark is still inside the minute: no pane.
    expect(minuteRows(pipeline.fire(t0 + 40_000, t0 + 41_000))).toEqual([]);
    expect(minuteRows(pipeline.fire(t0 + MINUTE, t0 + 61_000))).toEqual([[iso(t0), 2, 'ON_TIME', false]]);
    // Behind the watermark but within the lateness: a late pane with the whole window's value.
    expect(apply(pipeline, view(t0 + 3000)).late).toBe(true);
    expect(minuteRows(pipeline.fire(t0 + 2 * MINUTE, t0 + 121_000))).toEqual([[iso(t0), 3, 'LATE', false]]);
    expect(minuteRows(pipeline.fire(t0 + 6 * MINUTE, t0 + 361_000))).toEqual([[iso(t0), 3, 'LATE', true]]);
    // The window is gone; a later event for it is a dead letter of the minute table (it still joins a session).
    const tooLate = apply(pipeline, view(t0 + 4000));
    expect(tooLate.deadLetters.map((d) => [d.transform, d.reason.split(':')[0]])).toEqual([['product_activity_minute', 'later_than_allowed_lateness']]);
    // The too-late view still joined its session, which ends long after the watermark: admitted, not late.
    expect(pipeline.state.counters).toMatchObject({ admitted: 4, late: 1, tooLate: 1 });
  });

  it('counts an event id once, whichever copy comes', () => {
    const pipeline = new ShardPipeline(emptyState(0), 5 * MINUTE);
    const first = view(t0 + 1000);
    apply(pipeline, first);
    expect(apply(pipeline, { ...first, messageId: 'copy' }).duplicate).toBe(true);
    expect(minuteRows(pipeline.fire(t0 + 10 * MINUTE, t0 + 601_000))).toEqual([[iso(t0), 1, 'ON_TIME', true]]);
    expect(pipeline.state.counters).toMatchObject({ events: 2, admitted: 1, duplicates: 1 });
  });

  it('merges sessions a late view bridges and takes back the pairs of the sessions it replaces', () => {
    const pipeline = new ShardPipeline(emptyState(0), 3 * 60 * MINUTE);
    const other = uuidOf(rand);
    const at = (ms: number, productId: string) => {
      const p = activityEvent({ id: uuidOf(rand), kind: 'product_viewed', time: iso(ms), shopperId: 'shopper-bridge', sessionId: 'bridge-session', productId }, 1);
      apply(pipeline, { topic: p.topic, messageId: p.event.id, data: p.message.data.toString(), attributes: p.message.attributes, receivedAt: iso(t0 + 5 * 3_600_000) });
    };
    at(t0, product);
    at(t0 + 40 * MINUTE, other);
    at(t0 + 40 * MINUTE + 1000, uuidOf(rand));
    const pairs = (rows: ReturnType<ShardPipeline['fire']>) => rows.filter((r) => r.table === 'co_views' && r.values.product_id === product).map((r) => [r.values.co_product_id, r.values.sessions]);
    // Two sessions, 40 minutes apart: the first has a single product, so the product has no pairs yet.
    expect(pairs(pipeline.fire(t0 + 2 * 3_600_000, t0 + 2 * 3_600_000))).toEqual([]);
    // A late view at 20 minutes bridges them into one session with all three products.
    at(t0 + 20 * MINUTE, product);
    const merged = pipeline.fire(t0 + 2 * 3_600_000 + 1, t0 + 2 * 3_600_000 + 1);
    expect(pairs(merged).map(([p]) => p).sort()).toHaveLength(2);
    expect(pairs(merged).every(([, n]) => n === 1)).toBe(true);
    expect(pairs(merged).map(([p]) => p)).toContain(other);
    expect(Object.values(pipeline.state.sessions).map((list) => list.length)).toEqual([1]);
  });
});

describe('inventory rows', () => {
  it('carry the level after the window\'s last event, ties broken by event id, and the units moved', () => {
    const pipeline = new ShardPipeline(emptyState(0), 5 * MINUTE);
    const t = Date.UTC(2025, 2, 10, 9, 0, 10);
    const events = [
      inventoryEvent({ id: '00000000-0000-4000-8000-000000000002', type: 'inventory.stock_received', time: new Date(t).toISOString(), sku: 'SKU-1', warehouseId: 'w1', deltaOnHand: 10, onHand: 10, reserved: 0, reorderPoint: 4 }, 1),
      inventoryEvent({ id: '00000000-0000-4000-8000-000000000003', type: 'inventory.stock_fulfilled', time: new Date(t + 5000).toISOString(), sku: 'SKU-1', warehouseId: 'w1', deltaOnHand: -7, onHand: 3, reserved: 0, reorderPoint: 4 }, 1),
      // Same time as the fulfilment (one transaction): the greater id is the later.
      inventoryEvent({ id: '00000000-0000-4000-8000-000000000001', type: 'inventory.stock_adjusted', time: new Date(t + 5000).toISOString(), sku: 'SKU-1', warehouseId: 'w1', deltaOnHand: 1, onHand: 4, reserved: 0, reorderPoint: 4 }, 1),
    ];
    for (const e of events) {
      const raw = { topic: e.topic, messageId: e.event.id, data: e.message.data.toString(), attributes: e.message.attributes, receivedAt: new Date(t + 60_000).toISOString() };
      const parsed = parseMessage(raw, { maxFutureMs: 600_000 });
      if (parsed.ok) pipeline.apply(parsed.event, raw);
    }
    const [row] = pipeline.fire(t + 10 * MINUTE, t + 10 * MINUTE).map((r) => r.values);
    expect(row).toMatchObject({ sku: 'SKU-1', warehouse_id: 'w1', on_hand: 3, available: 3, units_received: 10, units_shipped: 7, units_adjusted: 1, low_stock: true, is_final: true });
  });
});
