import type { Knex } from 'knex';

export type RunOnceResult<T> = { ran: true; result: T } | { ran: false };

/**
 * Runs `fn` only if `consumer` has not yet processed `eventId`, recording it in the caller's
 * transaction: if `fn` throws, the record rolls back with it and a redelivery runs again.
 * A concurrent duplicate waits on the first one's row and then skips.
 */
export async function runOnce<T>(
  trx: Knex.Transaction,
  consumer: string,
  eventId: string,
  fn: (trx: Knex.Transaction) => Promise<T>,
): Promise<RunOnceResult<T>> {
  const inserted = await trx.raw<{ rowCount: number }>(
    'insert into processed_events (consumer, event_id) values (?, ?) on conflict do nothing',
    [consumer, eventId],
  );
  if (inserted.rowCount === 0) return { ran: false };
  return { ran: true, result: await fn(trx) };
}

export interface Deduplicator {
  /** Opens a transaction and runs `fn` in it unless this consumer already processed `eventId`. */
  run<T>(eventId: string, fn: (trx: Knex.Transaction) => Promise<T>): Promise<RunOnceResult<T>>;
}

export function createDeduplicator(db: Knex, consumer: string): Deduplicator {
  return {
    run: (eventId, fn) => db.transaction((trx) => runOnce(trx, consumer, eventId, fn)),
  };
}
