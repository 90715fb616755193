import type { Knex } from 'knex';

/** Published rows are kept this long for audit and replay before they are deleted. */
export const DEFAULT_OUTBOX_RETENTION_SECONDS = 7 * 24 * 3600;

const PURGE_CHUNK = 5_000;

/**
 * Deletes outbox rows published longer ago than the retention; never an unpublished row.
 * Works in chunks so no single statement holds locks for long. Returns how many were deleted.
 */
export async function purgePublishedOutbox(db: Knex, retentionSeconds: number = DEFAULT_OUTBOX_RETENTION_SECONDS): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw<{ rowCount: number }>(
      `delete from outbox where seq in (
         select seq from outbox where published_at is not null and published_at < now() - make_interval(secs => ?)
         order by seq limit ?)`,
      [retentionSeconds, PURGE_CHUNK],
    );
    total += result.rowCount;
    if (result.rowCount < PURGE_CHUNK) return total;
  }
}
