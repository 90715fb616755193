import { createHash } from 'node:crypto';
import type { TableSpec } from '@shop/contracts';
import type { RowValues } from '../transforms';

/**
 * Deterministic insert id of a row: its table, its contract key and its emission time for pane
 * rows (a retried write of a pane carries the same id and lands once; a later pane is a new row),
 * the key alone for dead letters (a redelivered bad message is the same dead letter).
 */
export function insertIdOf(table: TableSpec, values: RowValues): string {
  const hash = createHash('sha256').update(table.name);
  for (const column of table.key) hash.update('\u0000').update(String(values[column]));
  if ('emitted_at' in values) hash.update('\u0000').update(String(values.emitted_at));
  return hash.digest('hex').slice(0, 32);
}
