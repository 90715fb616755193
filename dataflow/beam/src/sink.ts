import { randomUUID } from 'node:crypto';
import { WAREHOUSE_TABLES } from '@shop/contracts';
import { parDo } from 'apache-beam';
import { applyNamed } from './beam';
import type { AnalyticsOutputs } from './pipeline';
import { registerInProcess } from './serialization';
import { WriteToSink, type RowSink } from './steps';

/** Writes every output of the pipeline to a sink in this process (the direct runner's, for bounded runs). */
export function writeToSink(outputs: AnalyticsOutputs, sink: RowSink): void {
  registerInProcess(`sink-${randomUUID()}`, sink);
  const tables = { ...outputs.rows, [WAREHOUSE_TABLES.deadLetter.name]: outputs.deadLetters };
  for (const [table, rows] of Object.entries(tables)) applyNamed(rows, `${table}/write`, parDo(new WriteToSink(sink, table)));
}
