import { ANALYTICS_JOB, SUBSCRIPTIONS, TOPICS, WAREHOUSE_TABLES, WAREHOUSE_TABLE_LIST, shardFilter, type TableSpec, type TopicName } from '@shop/contracts';
import type { EventBus, Logger, ReceivedMessage, Subscription, Warehouse, WarehouseRow } from '@shop/kit';
import { deadLetterRow, parseMessage, type DeadLetter, type JobEvent, type RawMessage } from '../transforms';
import type { CheckpointStore, CycleDelta } from './checkpoint';
import type { FiredRow } from './fixed-windows';
import { insertIdOf } from './insert-ids';
import type { RunnerMetrics, ShardGauges } from './metrics';
import { ShardPipeline } from './pipeline';
import { RateMeter } from './rate';
import type { JobSettings } from './settings';
import { restoreState } from './restore';
import type { Counters, ShardState } from './state';
import { jobWatermark } from './watermark';

/** Topics whose events feed windows and so drive the watermark; catalog events are only validated. */
export const WATERMARK_TOPICS: readonly TopicName[] = [TOPICS.activity, TOPICS.inventory, TOPICS.orders];

export interface ShardRunnerDeps {
  shard: number;
  bus: EventBus;
  warehouse: Warehouse;
  checkpoints: CheckpointStore;
  logger: Logger;
  settings: JobSettings;
  metrics: RunnerMetrics;
  now: () => number;
}

export interface ShardStatus extends ShardGauges {
  watermark: string | null;
  /** Committed cycles since the shard began. */
  cycles: number;
  lastCommitAt: string | null;
  counters: Counters;
  sources: Record<string, { newestEventTime: string | null; idle: boolean }>;
  /** The last sink or checkpoint write failed and is being retried. */
  retrying: string | null;
  draining: boolean;
  /** Messages received again (a delivery attempt after the first), since this process started. */
  redelivered: number;
  /** Silent subscriptions reopened since this process started. */
  reopened: number;
}

interface Source {
  subscription: Subscription;
  lastDeliveryAt: number;
  reopening: Promise<void> | null;
}

interface Deferred {
  resolve(): void;
}

interface Batch {
  appliedUnderMs: number | null;
  events: JobEvent[];
  invalid: number;
  deadLetters: DeadLetter[];
  acks: Deferred[];
}

const TABLES = new Map<string, TableSpec>(WAREHOUSE_TABLE_LIST.map((t) => [t.name, t]));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The analytics subscription of one topic for one shard, as the contracts (and so the infrastructure) name it. */
export function shardSubscription(topic: TopicName, shard: number): string {
  const spec = SUBSCRIPTIONS.find((s) => s.consumer === ANALYTICS_JOB.name && s.topic === topic && s.filter === shardFilter(shard));
  if (!spec) throw new Error(`the contracts define no analytics subscription of ${topic} for shard ${shard}`);
  return spec.name;
}

/**
 * The runner of one shard: pulls the shard's subscription of every topic, applies events to the
 * shard's windows as they arrive and, every pane period (or sooner when many messages wait),
 * fires the panes due, writes them and the dead letters, commits the checkpoint, and only then
 * acks the messages the cycle covered. A crash loses nothing: what was acked is in the
 * checkpoint, the rest comes again.
 */
export class ShardRunner {
  private readonly pipeline: ShardPipeline;
  private readonly lastEventAt = new Map<string, number>();
  private readonly rate = new RateMeter();
  private readonly sources = new Map<TopicName, Source>();
  private reopened = 0;
  private batch: Batch;
  private committing: Batch | null = null;
  private cycleRunning: Promise<void> | null = null;
  private cycleAgain = false;
  private timer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private draining = false;
  private retrying: string | null = null;
  private lastCommitAt: number | null = null;
  private redelivered = 0;

  private constructor(
    private readonly deps: ShardRunnerDeps,
    state: ShardState,
  ) {
    this.pipeline = new ShardPipeline(state, deps.settings.allowedLatenessMs);
    this.batch = this.newBatch();
    const started = deps.now();
    // Idleness counts from the start: a restart is not a quiet spell of the sources.
    for (const topic of WATERMARK_TOPICS) this.lastEventAt.set(topic, started);
  }

  /** Restores the shard from its checkpoint, then subscribes and starts the cycle timer. */
  static async start(deps: ShardRunnerDeps): Promise<ShardRunner> {
    const checkpoint = await deps.checkpoints.load();
    const state = restoreState(deps.shard, checkpoint, deps.settings.allowedLatenessMs);
    deps.logger.info({ shard: deps.shard, seq: state.seq, replayed: checkpoint.deltas.length, watermarkMs: state.watermarkMs, counters: state.counters }, 'analytics shard restored');
    const runner = new ShardRunner(deps, state);
    await runner.subscribe();
    runner.timer = setInterval(() => runner.requestCycle(), deps.settings.panePeriodMs);
    runner.watchdog = setInterval(() => runner.reopenSilent(), Math.min(5_000, deps.settings.resubscribeAfterMs / 2));
    return runner;
  }

  status(): ShardStatus {
    const now = this.deps.now();
    const state = this.pipeline.state;
    const watermark = state.watermarkMs;
    const sources: ShardStatus['sources'] = {};
    for (const topic of WATERMARK_TOPICS) {
      const newest = state.sources[topic];
      sources[topic] = { newestEventTime: newest === undefined ? null : new Date(newest).toISOString(), idle: now - (this.lastEventAt.get(topic) ?? now) >= this.deps.settings.idleTimeoutMs };
    }
    return {
      shard: this.deps.shard,
      watermark: watermark === null ? null : new Date(watermark).toISOString(),
      watermarkDelaySeconds: watermark === null ? null : Math.max(0, (now - watermark) / 1000),
      eventsPerSecond: this.rate.perSecond(now),
      backlog: this.pending(),
      cycles: state.seq,
      lastCommitAt: this.lastCommitAt === null ? null : new Date(this.lastCommitAt).toISOString(),
      counters: { ...state.counters },
      sources,
      retrying: this.retrying,
      draining: this.draining,
      redelivered: this.redelivered,
      reopened: this.reopened,
    };
  }

  /** Stops taking messages, commits what was applied (a full checkpoint), acks it, and closes the subscriptions. */
  async drain(): Promise<void> {
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
    if (this.watchdog) clearInterval(this.watchdog);
    await this.cycleRunning;
    await this.cycle(true);
    await Promise.all([...this.sources.values()].map(async (source) => {
      await source.reopening;
      await source.subscription.close();
    }));
  }

  private newBatch(): Batch {
    return { appliedUnderMs: this.pipeline.state.watermarkMs, events: [], invalid: 0, deadLetters: [], acks: [] };
  }

  private pending(): number {
    return this.batch.acks.length + (this.committing?.acks.length ?? 0);
  }

  private async subscribe(): Promise<void> {
    for (const topic of Object.values(TOPICS)) {
      this.sources.set(topic, { subscription: await this.open(topic), lastDeliveryAt: this.deps.now(), reopening: null });
    }
  }

  private open(topic: TopicName): Promise<Subscription> {
    return this.deps.bus.subscribe(topic, shardSubscription(topic, this.deps.shard), (m) => this.handle(topic, m), { filter: shardFilter(this.deps.shard) });
  }

  /**
   * Reopens a subscription that delivered nothing for a while: a streaming pull the server ended
   * for good (the client gives up on some statuses) would otherwise stall the shard silently, and
   * reopening a merely quiet one costs one stream.
   */
  private reopenSilent(): void {
    const now = this.deps.now();
    for (const [topic, source] of this.sources) {
      if (this.draining || source.reopening || now - source.lastDeliveryAt < this.deps.settings.resubscribeAfterMs) continue;
      source.reopening = (async () => {
        await source.subscription.close();
        if (this.draining) return;
        source.subscription = await this.open(topic);
        source.lastDeliveryAt = this.deps.now();
        this.reopened += 1;
      })()
        .catch((err: unknown) => this.deps.logger.warn({ err, shard: this.deps.shard, topic }, 'analytics: could not reopen a silent subscription; trying again'))
        .finally(() => {
          source.reopening = null;
        });
    }
  }

  /** Applies a message now; the returned promise (the ack) settles once a committed cycle covers it. */
  private handle(topic: TopicName, message: ReceivedMessage): Promise<void> {
    // Redelivered to whoever owns the shard next.
    if (this.draining) return Promise.reject(new Error(`shard ${this.deps.shard} is draining`));
    const now = this.deps.now();
    const source = this.sources.get(topic);
    if (source) source.lastDeliveryAt = now;
    const raw: RawMessage = { topic, messageId: message.messageId, data: message.data.toString('utf8'), attributes: message.attributes, receivedAt: new Date(now).toISOString() };
    const parsed = parseMessage(raw, { maxFutureMs: this.deps.settings.maxFutureMs });
    const batch = this.batch;
    if (!parsed.ok) {
      batch.invalid += 1;
      this.pipeline.state.counters.invalid += 1;
      batch.deadLetters.push(parsed.deadLetter);
    } else {
      const applied = this.pipeline.apply(parsed.event, raw);
      batch.events.push(parsed.event);
      batch.deadLetters.push(...applied.deadLetters);
      this.lastEventAt.set(topic, now);
      if (applied.late) this.deps.metrics.late(this.deps.shard, 1);
    }
    this.rate.add(1, now);
    if (message.deliveryAttempt > 1) this.redelivered += 1;
    const acked = new Promise<void>((resolve) => batch.acks.push({ resolve }));
    if (this.pending() >= this.deps.settings.maxPending) this.requestCycle();
    return acked;
  }

  private requestCycle(): void {
    if (this.draining) return;
    if (this.cycleRunning) {
      this.cycleAgain = true;
      return;
    }
    this.cycleRunning = this.cycle(false)
      .catch((err: unknown) => this.deps.logger.error({ err, shard: this.deps.shard }, 'analytics cycle failed'))
      .finally(() => {
        this.cycleRunning = null;
        if (this.cycleAgain) {
          this.cycleAgain = false;
          this.requestCycle();
        }
      });
  }

  /** One cycle: fire at the current watermark, write rows, commit the checkpoint, ack. */
  private async cycle(forceSnapshot: boolean): Promise<void> {
    const { settings, checkpoints } = this.deps;
    const state = this.pipeline.state;
    const now = this.deps.now();
    const batch = this.batch;
    const clocks = WATERMARK_TOPICS.map((topic) => ({ maxEventTimeMs: state.sources[topic] ?? null, lastEventAtMs: this.lastEventAt.get(topic) ?? now }));
    const watermarkMs = jobWatermark(clocks, state.watermarkMs, now, settings);
    const changed = watermarkMs !== state.watermarkMs;
    const fired = this.pipeline.fire(watermarkMs, now);
    this.batch = this.newBatch();
    const nothing = batch.acks.length === 0 && fired.length === 0;
    // A cycle that only moved the watermark changes nothing a replay would miss: the next delta records where it applies.
    if (nothing && !forceSnapshot) {
      if (changed) this.deps.logger.debug({ shard: this.deps.shard, watermarkMs }, 'watermark moved');
      return;
    }
    const seq = state.seq + 1;
    state.seq = seq;
    const delta: CycleDelta = { seq, appliedUnderMs: batch.appliedUnderMs, allowedLatenessMs: settings.allowedLatenessMs, events: batch.events, invalid: batch.invalid, watermarkMs, emittedAtMs: now };
    // Serialized now: messages arriving during the writes below change the state further.
    const entry = forceSnapshot || checkpoints.needsSnapshot(seq) ? { snapshot: JSON.stringify(state) } : { delta: JSON.stringify(delta) };
    const rows = this.warehouseRows(fired, batch.deadLetters);
    this.committing = batch;
    const began = this.deps.now();
    let wroteAt = began;
    try {
      for (const [table, tableRows] of rows) await this.retry(`write ${table.name}`, () => this.deps.warehouse.insert(table, tableRows));
      wroteAt = this.deps.now();
      await this.retry('commit the checkpoint', () => checkpoints.commit(seq, entry));
    } finally {
      this.committing = null;
    }
    this.lastCommitAt = this.deps.now();
    this.deps.logger.debug(
      { shard: this.deps.shard, seq, messages: batch.acks.length, rows: fired.length + batch.deadLetters.length, prepareMs: began - now, writeMs: wroteAt - began, checkpointMs: this.lastCommitAt - wroteAt, checkpoint: 'snapshot' in entry ? 'snapshot' : 'delta' },
      'analytics cycle committed',
    );
    const deadLettered = new Set(batch.deadLetters.map((d) => `${d.sourceTopic}/${d.messageId}`)).size;
    if (deadLettered > 0) this.deps.metrics.deadLettered(this.deps.shard, deadLettered);
    for (const ack of batch.acks) ack.resolve();
  }

  private warehouseRows(fired: readonly FiredRow[], deadLetters: readonly DeadLetter[]): Map<TableSpec, WarehouseRow[]> {
    const byTable = new Map<TableSpec, WarehouseRow[]>();
    const add = (table: TableSpec, values: WarehouseRow['values']): void => {
      const rows = byTable.get(table) ?? [];
      byTable.set(table, rows);
      rows.push({ insertId: insertIdOf(table, values), values });
    };
    for (const row of fired) {
      const table = TABLES.get(row.table);
      if (!table) throw new Error(`no contract table ${row.table}`);
      add(table, row.values);
    }
    for (const letter of deadLetters) add(WAREHOUSE_TABLES.deadLetter, deadLetterRow(letter));
    return byTable;
  }

  /** Retries until it works: the messages stay unacked meanwhile, so nothing is lost and flow control holds new ones back. */
  private async retry(what: string, op: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await op();
        if (this.retrying === what) this.retrying = null;
        return;
      } catch (err) {
        this.retrying = what;
        const waitMs = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
        this.deps.logger.warn({ err, shard: this.deps.shard, attempt, waitMs }, `analytics: could not ${what}; retrying`);
        await sleep(waitMs);
      }
    }
  }
}
