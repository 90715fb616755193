/** Longest query word kept and most words used; longer queries add noise, not precision. */
export const MAX_WORD_LENGTH = 40;
export const MAX_QUERY_WORDS = 8;

/**
 * The words of a shopper's query: lower case letters and digits only, so they are safe to
 * join into a tsquery and compare with the trigram lexicon.
 */
export function searchWords(q: string): string[] {
  const words = q
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.slice(0, MAX_WORD_LENGTH));
  return [...new Set(words)].slice(0, MAX_QUERY_WORDS);
}
