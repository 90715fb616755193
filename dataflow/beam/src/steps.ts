import { ANALYTICS_JOB } from '@shop/contracts';
import {
  PARSE_TRANSFORM,
  REJECTIONS,
  deadLetterOf,
  deadLetterRow,
  parseMessage,
  type DeadLetter,
  type FixedWindowTable,
  type Pane,
  type ParseOptions,
  type RawMessage,
  type RowValues,
} from '@shop/dataflow';
import { IntervalWindow, type Instant, type KV, type ParDoLookupParam, type Window } from 'apache-beam';
import type { Combined, KeyedInput, Parsed, ShardedEvent } from './elements';
import { instantOf, windowOf } from './instant';

/*
 * The steps Beam runs. Beam ships DoFns to its workers by serializing them; these are instances of
 * registered classes (see serialization.ts) whose own fields are plain data or registered shared
 * objects, so they cross as references and their methods run the shared transforms.
 */

/** The analytics shard a message was published to, or null when its `shard` attribute names none. */
export function shardOfMessage(message: RawMessage): number | null {
  const text = message.attributes['shard'];
  if (text === undefined || !/^(0|[1-9][0-9]*)$/.test(text)) return null;
  const shard = Number(text);
  return shard < ANALYTICS_JOB.shards ? shard : null;
}

/** Parses and validates each message with the shared parser: an event, or a dead letter. */
export class ParseMessages {
  constructor(readonly maxFutureMs: number) {}

  process(message: RawMessage): Parsed[] {
    const options: ParseOptions = { maxFutureMs: this.maxFutureMs };
    const parsed = parseMessage(message, options);
    if (!parsed.ok) return [{ deadLetter: parsed.deadLetter }];
    const shard = shardOfMessage(message);
    if (shard === null) {
      const { eventId, eventType, eventTime } = parsed.event;
      const detail = `shard: ${message.attributes['shard'] ?? 'missing'} is not a shard below ${ANALYTICS_JOB.shards}`;
      return [{ deadLetter: deadLetterOf(message, PARSE_TRANSFORM, REJECTIONS.invalidAttributes, detail, { eventId, eventType, eventTime }) }];
    }
    return [{ event: { shard, event: parsed.event } }];
  }
}

/** The event time (ce-time) as Beam's element timestamp, so windows are event-time windows. */
export const eventTimestampOf = (sharded: ShardedEvent): Instant => instantOf(sharded.event.eventTimeMs);

/** The events of one topic: a table reads one topic, and the others need not be shuffled for it. */
export class EventsOfTopic {
  constructor(readonly topic: string) {}

  process(sharded: ShardedEvent): ShardedEvent[] {
    return sharded.event.topic === this.topic ? [sharded] : [];
  }
}

/** Deduplication key: the CloudEvents id. */
export const eventIdOf = (sharded: ShardedEvent): string => sharded.event.eventId;

/** Numeric-aware order of message ids: Pub/Sub ids and bounded input positions are decimal. */
function compareMessageIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The copy delivered first (earliest receipt, then lowest message id): the one a streaming consumer keeps. */
export function firstDelivered(copies: Iterable<ShardedEvent>): ShardedEvent {
  let first: ShardedEvent | undefined;
  for (const copy of copies) {
    if (first === undefined) first = copy;
    else {
      const byReceipt = copy.event.receivedAtMs - first.event.receivedAtMs;
      if (byReceipt < 0 || (byReceipt === 0 && compareMessageIds(copy.event.messageId, first.event.messageId) < 0)) first = copy;
    }
  }
  if (first === undefined) throw new Error('a group of deliveries is never empty');
  return first;
}

/** Keeps one delivery of each event id (grouped per window: an event's window follows from its ce-time). */
export class KeepFirstDelivery {
  process(group: KV<string, Iterable<ShardedEvent>>): ShardedEvent[] {
    return [firstDelivered(group.value)];
  }
}

/** The table's inputs of an event, keyed by shard and the table's key. */
export class TableInputs<I, A, O> {
  constructor(readonly table: FixedWindowTable<I, A, O>) {}

  process(sharded: ShardedEvent): KeyedInput<I>[] {
    return this.table.inputsOf(sharded.event).map((input) => ({ shard: sharded.shard, key: this.table.keyOf(input), input }));
  }
}

export interface WindowContext {
  window: ParDoLookupParam<Window>;
}

/**
 * The table's row of a combined window and key. Without triggers each window fires once, when the
 * watermark passes its end (for a bounded input, at its end), so every row is the on-time, final pane.
 */
export class TableRows<I, A, O> {
  constructor(readonly table: FixedWindowTable<I, A, O>) {}

  process(combined: Combined<O>, context: WindowContext): RowValues[] {
    const window = context.window.lookup();
    if (!(window instanceof IntervalWindow)) throw new Error(`${this.table.table.name} rows need interval windows`);
    const pane: Pane = { timing: 'ON_TIME', isFinal: true, emittedAt: new Date().toISOString() };
    return [this.table.toRow(combined.key, windowOf(window), combined.output, pane, combined.shard)];
  }
}

/** The dead_letter row of a dead letter. */
export class DeadLetterRows {
  process(letter: DeadLetter): RowValues[] {
    return [deadLetterRow(letter)];
  }
}

/** Where rows go in an in-process run: one call per row, with the table it belongs to. */
export interface RowSink {
  write(table: string, row: RowValues): void;
}

/** Hands each row to an in-process sink (registered, so the DoFn refers to it rather than a copy). */
export class WriteToSink {
  constructor(
    readonly sink: RowSink,
    readonly table: string,
  ) {}

  process(row: RowValues): RowValues[] {
    this.sink.write(this.table, row);
    return [];
  }
}
