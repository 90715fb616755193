import { DEFAULT_MAX_FUTURE_MS, inventory, productActivity, sales, type FixedWindowTable, type RawMessage, type RowValues } from '@shop/dataflow';
import { assignTimestamps, fixedWindows, groupBy, parDo, split, windowInto, windowParam, type IntervalWindow, type PCollection } from 'apache-beam';
import { applyNamed } from './beam';
import type { Combined, KeyedInput, Parsed, ParsedOutputs, ShardedEvent } from './elements';
import './serialization';
import { DeadLetterRows, EventsOfTopic, KeepFirstDelivery, ParseMessages, TableInputs, TableRows, eventIdOf, eventTimestampOf } from './steps';

export interface AnalyticsOptions {
  /** How far past its receipt an event may claim to have happened (the shared parser's limit). */
  maxFutureMs: number;
}

export const DEFAULT_ANALYTICS_OPTIONS: AnalyticsOptions = { maxFutureMs: DEFAULT_MAX_FUTURE_MS };

/** What the pipeline writes: rows per aggregate table (by table name) and dead_letter rows. */
export interface AnalyticsOutputs {
  rows: Record<string, PCollection<RowValues>>;
  deadLetters: PCollection<RowValues>;
}

/** The fixed-window tables; co_views need session windows, which Beam's direct runner cannot run. */
export const FIXED_WINDOW_TABLE_NAMES = [productActivity.table.name, inventory.table.name, sales.table.name] as const;

/** One fixed-window table: its topic's events by event-time window, redeliveries dropped, combined per shard and key, as rows. */
function fixedWindowRows<I, A, O>(events: PCollection<ShardedEvent>, table: FixedWindowTable<I, A, O>): PCollection<RowValues> {
  const name = table.table.name;
  const ofTopic = applyNamed(events, `${name}/${table.topic}`, parDo(new EventsOfTopic(table.topic)));
  const windowed = applyNamed(ofTopic, `${name}/window`, windowInto<ShardedEvent, IntervalWindow>(fixedWindows(table.windowMs / 1000)));
  const byEventId = applyNamed(windowed, `${name}/group by event id`, groupBy(eventIdOf));
  const deliveries = applyNamed(byEventId, `${name}/first delivery`, parDo(new KeepFirstDelivery()));
  const inputs = applyNamed<ShardedEvent, PCollection<KeyedInput<I>>>(deliveries, `${name}/inputs`, parDo(new TableInputs(table)));
  const combined = applyNamed<KeyedInput<I>, PCollection<Combined<O>>>(
    inputs,
    `${name}/combine`,
    groupBy<KeyedInput<I>, [number, string]>(['shard', 'key']).combining('input', table.combineFn, 'output'),
  );
  return applyNamed(combined, `${name}/rows`, parDo(new TableRows(table), { window: windowParam() }));
}

/**
 * The analytics job in Beam, built from the shared transforms: parse and validate each message
 * (invalid ones become dead letters), stamp it with its event time, then per fixed-window table
 * deduplicate by event id, combine with the table's CombineFn and build its rows.
 */
export function analyticsPipeline(messages: PCollection<RawMessage>, options: AnalyticsOptions = DEFAULT_ANALYTICS_OPTIONS): AnalyticsOutputs {
  const parsed = applyNamed<RawMessage, PCollection<Parsed>>(messages, 'parse', parDo(new ParseMessages(options.maxFutureMs)));
  const { event, deadLetter } = applyNamed(parsed, 'route', split<ParsedOutputs>(['event', 'deadLetter']));
  const events = applyNamed(event, 'event time', assignTimestamps<ShardedEvent>(eventTimestampOf));
  return {
    rows: {
      [productActivity.table.name]: fixedWindowRows(events, productActivity),
      [inventory.table.name]: fixedWindowRows(events, inventory),
      [sales.table.name]: fixedWindowRows(events, sales),
    },
    deadLetters: applyNamed(deadLetter, 'dead letters', parDo(new DeadLetterRows())),
  };
}
