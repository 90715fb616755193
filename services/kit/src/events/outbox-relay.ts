import type { Knex } from 'knex';
import { DEFAULT_SHARD_COUNT } from '@shop/contracts';
import type { Logger } from '../logger';
import type { EventBus } from './types';
import { retryDelayMs } from './backoff';
import { failedIndexes } from './publish-error';
import { toBusMessage, type OutboxRow } from './outbox-message';
import { listenConfigOf, listenForOutbox, type OutboxListener } from './outbox-listener';

export interface OutboxRelayOptions {
  db: Knex;
  bus: EventBus;
  logger: Logger;
  /** Rows read and published per transaction. */
  batchSize?: number;
  /** Polling period; a NOTIFY from writeOutbox wakes the relay sooner. */
  pollIntervalMs?: number;
  /** First retry delay of a row the broker did not accept; doubles per attempt. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  shardCount?: number;
  /** Pause before each batch so a burst of writes is published as one batch; default 20 ms. */
  coalesceMs?: number;
}

export interface RelayStats {
  published: number;
  failed: number;
  /** Unpublished rows as of the last pendingCount() call. */
  pending?: number;
}

interface BatchResult {
  selected: number;
  published: number;
}

// Any constant will do; every relay replica of a database contends for this one.
const RELAY_LOCK_KEY = 4_242_017_001;

// Due rows in seq order, skipping a row while an earlier row of its topic and ordering key waits
// for a retry, so a key never overtakes its own failed event.
const SELECT_DUE = `
select seq, id, topic, ordering_key, type, source, subject, time, data, attributes, attempts
from outbox o
where o.published_at is null
  and o.next_attempt_at <= clock_timestamp()
  and (o.ordering_key is null or not exists (
    select 1 from outbox p
    where p.published_at is null
      and p.topic = o.topic
      and p.ordering_key = o.ordering_key
      and p.seq < o.seq
      and p.next_attempt_at > clock_timestamp()))
order by o.seq
limit ?`;

const MARK_PUBLISHED = 'update outbox set published_at = clock_timestamp() where seq = any(?::bigint[])';

const MARK_FAILED = `
update outbox o
set attempts = o.attempts + 1,
    last_error = f.error,
    next_attempt_at = clock_timestamp() + f.delay_ms * interval '1 millisecond'
from jsonb_to_recordset(?::jsonb) as f(seq bigint, error text, delay_ms integer)
where o.seq = f.seq`;

interface Failure {
  seq: string;
  error: string;
  delay_ms: number;
}

/**
 * Publishes outbox rows to the bus and marks them published once the broker accepted them.
 * One relay per database works at a time (a transaction-scoped advisory lock per batch), so
 * replicas can all run it and per-key order still holds.
 */
export class OutboxRelay {
  private readonly db: Knex;
  private readonly bus: EventBus;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly shardCount: number;
  private readonly coalesceMs: number;
  private readonly counters: RelayStats = { published: 0, failed: 0 };
  private serial: Promise<unknown> = Promise.resolve();
  private started: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private listener: OutboxListener | undefined;
  private stopping = false;
  private woken = false;
  private wakeSleeper: (() => void) | undefined;

  constructor(options: OutboxRelayOptions) {
    this.db = options.db;
    this.bus = options.bus;
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.initialBackoffMs = options.initialBackoffMs ?? Math.min(500, options.maxBackoffMs ?? 500);
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.shardCount = options.shardCount ?? DEFAULT_SHARD_COUNT;
    this.coalesceMs = options.coalesceMs ?? 20;
  }

  /** Starts listening for NOTIFY and polling; resolves once the listener is in place. */
  start(): Promise<void> {
    this.started ??= this.begin();
    return this.started;
  }

  /** Stops after the batch in flight is published and marked. */
  async stop(): Promise<void> {
    if (!this.started) return;
    // A start still in progress must finish first, or its listener would outlive the stop.
    await this.started;
    this.stopping = true;
    this.wake();
    await this.loop;
    await this.listener?.close();
    this.loop = undefined;
    this.listener = undefined;
    this.started = undefined;
  }

  /** Publishes every row due now, batch after batch; resolves to the number published. */
  async flushOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.flushBatch();
      total += batch.published;
      if (batch.selected < this.batchSize || batch.published === 0) return total;
    }
  }

  async pendingCount(): Promise<number> {
    const result = await this.db.raw<{ rows: { n: string }[] }>('select count(*) as n from outbox where published_at is null');
    const pending = Number(result.rows[0]?.n ?? 0);
    this.counters.pending = pending;
    return pending;
  }

  stats(): RelayStats {
    return { ...this.counters };
  }

  private async begin(): Promise<void> {
    this.stopping = false;
    const config = listenConfigOf(this.db);
    if (config) {
      this.listener = await listenForOutbox(config, () => this.wake(), this.logger);
    } else {
      this.logger.warn('outbox relay cannot LISTEN with a connection provider function; polling only');
    }
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      // Busy writers notify many times a second; gathering them for a moment makes one batch of many.
      if (this.coalesceMs > 0) await new Promise((r) => setTimeout(r, this.coalesceMs));
      let more = false;
      try {
        const batch = await this.flushBatch();
        more = batch.selected === this.batchSize && batch.published > 0;
      } catch (err) {
        this.logger.error({ err }, 'outbox relay batch failed');
      }
      if (!more && !this.stopping) await this.sleep();
    }
  }

  private wake(): void {
    this.woken = true;
    this.wakeSleeper?.();
  }

  private async sleep(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.pollIntervalMs);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeSleeper = undefined;
    this.woken = false;
  }

  /** One batch at a time per process; the advisory lock does the same across processes. */
  private flushBatch(): Promise<BatchResult> {
    const next = this.serial.then(() => this.db.transaction((trx) => this.relayBatch(trx)));
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async relayBatch(trx: Knex.Transaction): Promise<BatchResult> {
    const lock = await trx.raw<{ rows: { locked: boolean }[] }>('select pg_try_advisory_xact_lock(?) as locked', [RELAY_LOCK_KEY]);
    if (!lock.rows[0]?.locked) return { selected: 0, published: 0 };
    const { rows } = await trx.raw<{ rows: OutboxRow[] }>(SELECT_DUE, [this.batchSize]);
    if (rows.length === 0) return { selected: 0, published: 0 };

    const { published, failures } = await this.publish(rows);
    if (published.length > 0) await trx.raw(MARK_PUBLISHED, [published]);
    if (failures.length > 0) await trx.raw(MARK_FAILED, [JSON.stringify(failures)]);
    this.counters.published += published.length;
    this.counters.failed += failures.length;
    return { selected: rows.length, published: published.length };
  }

  private async publish(rows: OutboxRow[]): Promise<{ published: string[]; failures: Failure[] }> {
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const group = byTopic.get(row.topic);
      if (group) group.push(row);
      else byTopic.set(row.topic, [row]);
    }
    const published: string[] = [];
    const failures: Failure[] = [];
    await Promise.all(
      [...byTopic].map(async ([topic, group]) => {
        try {
          await this.bus.publish(topic, group.map((row) => toBusMessage(row, this.shardCount)));
          published.push(...group.map((row) => row.seq));
        } catch (err) {
          const failed = new Set(failedIndexes(err, group.length));
          const error = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
          this.logger.warn({ err, topic, failed: failed.size, of: group.length }, 'outbox publish failed; will retry');
          group.forEach((row, i) => {
            if (!failed.has(i)) published.push(row.seq);
            else failures.push({ seq: row.seq, error, delay_ms: retryDelayMs(row.attempts + 1, this.initialBackoffMs, this.maxBackoffMs) });
          });
        }
      }),
    );
    return { published, failures };
  }
}
