import type { Knex } from '@shop/kit';

/** Longer than Pub/Sub keeps a message (7 days at most), so no redelivery can outlive its record. */
export const PROCESSED_EVENT_RETENTION_SECONDS = 8 * 24 * 3600;
const PURGE_CHUNK = 5_000;

/** Deletes the catalog consumers' records of events handled longer ago than the retention, in chunks. */
export async function purgeProcessedEvents(db: Knex, consumers: readonly string[], retentionSeconds = PROCESSED_EVENT_RETENTION_SECONDS): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await db.raw<{ rowCount: number }>(
      `delete from processed_events where ctid in (
         select ctid from processed_events
          where consumer = any(?::text[]) and processed_at < now() - make_interval(secs => ?)
          limit ?)`,
      [[...consumers], retentionSeconds, PURGE_CHUNK],
    );
    total += result.rowCount;
    if (result.rowCount < PURGE_CHUNK) return total;
  }
}

/**
 * Drops lexicon words no live product or category name uses any more (renamed or deleted), so
 * typo corrections only ever suggest words that can match.
 */
export async function pruneSearchWords(db: Knex): Promise<number> {
  const result = await db.raw<{ rowCount: number }>(
    `delete from search_words w where not exists (
       select 1 from (
         select regexp_split_to_table(lower(name), '[^[:alnum:]]+') as word from products where deleted_at is null
         union
         select regexp_split_to_table(lower(name), '[^[:alnum:]]+') from categories
       ) used where used.word = w.word)`,
  );
  return result.rowCount;
}
