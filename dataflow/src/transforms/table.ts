import type { TableSpec, TopicName } from '@shop/contracts';
import type { CombineFn } from './combine';
import type { JobEvent, Pane, RowValues } from './message';
import type { Window } from './time';

/**
 * One aggregate table over fixed event-time windows, in the Beam model: each event yields inputs
 * (timestamped with the event's time), inputs are grouped by window and key and combined, and
 * every firing (pane) of a window and key becomes a row.
 */
export interface FixedWindowTable<I, A, O> {
  table: TableSpec;
  /** Names this transform in dead_letter.transform. */
  transform: string;
  topic: TopicName;
  windowMs: number;
  /** The inputs an event contributes (none when its type does not feed this table). */
  inputsOf(event: JobEvent): I[];
  /** Grouping key; a plain string so both runners group alike. */
  keyOf(input: I): string;
  combineFn: CombineFn<I, A, O>;
  toRow(key: string, window: Window, output: O, pane: Pane, shard: number): RowValues;
}

/** Keys of several parts are JSON arrays, which keep any character of the parts apart. */
export const compositeKey = (...parts: string[]): string => JSON.stringify(parts);

/** The two parts of a compositeKey(a, b). */
export function keyPair(key: string): [string, string] {
  const parts: unknown = JSON.parse(key);
  if (!Array.isArray(parts) || parts.length !== 2) throw new Error(`not a key of two parts: ${key}`);
  const [a, b]: unknown[] = parts;
  if (typeof a !== 'string' || typeof b !== 'string') throw new Error(`not a key of two parts: ${key}`);
  return [a, b];
}

/** The window and pane columns every aggregate row has. */
export function windowColumns(window: Window, pane: Pane): RowValues {
  return {
    window_start: new Date(window.startMs).toISOString(),
    window_end: new Date(window.endMs).toISOString(),
    pane_timing: pane.timing,
    is_final: pane.isFinal,
    emitted_at: pane.emittedAt,
  };
}
