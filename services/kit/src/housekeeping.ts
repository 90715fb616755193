import type { Knex } from 'knex';
import { purgePublishedOutbox } from './events/outbox-retention';
import { purgeExpiredIdempotencyKeys } from './http/idempotency';
import type { Logger } from './logger';

/** Longer than Pub/Sub keeps a message (7 days at most), so no redelivery can outlive its record. */
export const PROCESSED_EVENT_RETENTION_SECONDS = 8 * 24 * 3600;
const PURGE_CHUNK = 5_000;

/** Deletes every consumer's records of events handled longer ago than the retention, in chunks. */
export async function purgeProcessedEvents(db: Knex, retentionSeconds: number = PROCESSED_EVENT_RETENTION_SECONDS): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw<{ rowCount: number }>(
      `delete from processed_events where ctid in (
         select ctid from processed_events where processed_at < now() - make_interval(secs => ?) limit ?)`,
      [retentionSeconds, PURGE_CHUNK],
    );
    total += result.rowCount;
    if (result.rowCount < PURGE_CHUNK) return total;
  }
}

export interface Periodic {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs`, never twice at once (a slow run makes the next tick skip), logging
 * a failure instead of letting it escape. Background loops of the services (hold sweepers, checkout
 * recovery, housekeeping) all run this way.
 */
export function periodic(name: string, intervalMs: number, task: () => Promise<void>, logger: Logger): Periodic {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running) return;
    running = task()
      .catch((err: unknown) => logger.error({ err, task: name }, `${name} failed`))
      .finally(() => {
        running = null;
      });
  }, intervalMs);
  // A loop never keeps a process alive on its own: the server does, until it is stopped.
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

/** How often the kit's tables are tidied. */
export const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/**
 * Tidies the tables the kit keeps in every service database (expired idempotency keys, published
 * outbox rows past their retention, old records of handled events) plus a service's own `extra`
 * tasks, each returning how many rows it removed.
 */
export function startHousekeeping(db: Knex, logger: Logger, extra: Record<string, () => Promise<number>> = {}, intervalMs = HOUSEKEEPING_INTERVAL_MS): Periodic {
  const tasks: Record<string, () => Promise<number>> = {
    idempotencyKeys: () => purgeExpiredIdempotencyKeys(db),
    publishedEvents: () => purgePublishedOutbox(db),
    handledEvents: () => purgeProcessedEvents(db),
    ...extra,
  };
  return periodic(
    'housekeeping',
    intervalMs,
    async () => {
      const entries = Object.entries(tasks);
      const removed = await Promise.all(entries.map(([, run]) => run()));
      logger.info({ removed: Object.fromEntries(entries.map(([name], i) => [name, removed[i]])) }, 'housekeeping removed old rows');
    },
    logger,
  );
}
