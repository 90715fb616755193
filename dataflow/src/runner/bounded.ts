import { deadLetterRow, parseMessage, type RawMessage, type RowValues } from '../transforms';
import { ShardPipeline } from './pipeline';
import { DEFAULT_SETTINGS } from './settings';
import { emptyState } from './state';

export interface BoundedResult {
  /** The final pane of every window and key, by table. */
  rows: Record<string, RowValues[]>;
  deadLetters: RowValues[];
}

/**
 * Runs a bounded input through one shard's pipeline as a batch job would: every message is
 * applied before any watermark, then the watermark jumps past everything and each window fires
 * once, final. The parity test compares this with Beam's direct runner on the same input.
 */
export function runBounded(messages: readonly RawMessage[], options: { shard: number; maxFutureMs?: number; emittedAt: string }): BoundedResult {
  const pipeline = new ShardPipeline(emptyState(options.shard), DEFAULT_SETTINGS.allowedLatenessMs);
  const deadLetters: RowValues[] = [];
  for (const message of messages) {
    const parsed = parseMessage(message, { maxFutureMs: options.maxFutureMs ?? DEFAULT_SETTINGS.maxFutureMs });
    if (!parsed.ok) deadLetters.push(deadLetterRow(parsed.deadLetter));
    else pipeline.apply(parsed.event, message).deadLetters.forEach((d) => deadLetters.push(deadLetterRow(d)));
  }
  const rows: Record<string, RowValues[]> = {};
  for (const row of pipeline.fire(Number.MAX_SAFE_INTEGER, Date.parse(options.emittedAt))) (rows[row.table] ??= []).push(row.values);
  return { rows, deadLetters };
}
