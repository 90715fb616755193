import type { Knex } from '@shop/kit';

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
