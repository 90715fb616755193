import type { RawMessage, RowValues } from '@shop/dataflow';
import { create, withName } from 'apache-beam';
import { directRunner } from 'apache-beam/runners/direct_runner';
import { DEFAULT_ANALYTICS_OPTIONS, analyticsPipeline, type AnalyticsOptions } from './pipeline';
import { writeToSink } from './sink';

/** Rows of a bounded run by table name, dead_letter included; in no particular order. */
export type TableRowsByName = Record<string, RowValues[]>;

/**
 * Runs the pipeline over a bounded input on Beam's direct runner: in this process, offline (the
 * direct runner never falls back to a job service), every window firing once at the input's end.
 */
export async function runBounded(messages: readonly RawMessage[], options: AnalyticsOptions = DEFAULT_ANALYTICS_OPTIONS): Promise<TableRowsByName> {
  const rows: TableRowsByName = {};
  const sink = { write: (table: string, row: RowValues): void => void (rows[table] ??= []).push(row) };
  await directRunner().run((root) => {
    const input = root.apply(withName('messages', create([...messages])));
    writeToSink(analyticsPipeline(input, options), sink);
  });
  return rows;
}
