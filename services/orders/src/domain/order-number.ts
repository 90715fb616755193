/** Letters and digits that cannot be mistaken for one another when read aloud or typed (no 0/O, 1/I/L, U). */
export const ORDER_NUMBER_ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUP = 4;
const LENGTH = 8;
/** The largest multiple of the alphabet size below 256, so every symbol is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % ORDER_NUMBER_ALPHABET.length);

/**
 * A short order number such as `K7QM-2XPA` (30^8 ≈ 6.6e11 numbers) from random bytes; bytes that
 * would bias the draw are skipped, so give a few more than 8. Uniqueness is the database's job.
 */
export function orderNumberFrom(randomBytes: Uint8Array): string {
  let symbols = '';
  for (const byte of randomBytes) {
    if (symbols.length === LENGTH) break;
    if (byte < UNBIASED_LIMIT) symbols += ORDER_NUMBER_ALPHABET[byte % ORDER_NUMBER_ALPHABET.length];
  }
  if (symbols.length < LENGTH) throw new RangeError('not enough random bytes for an order number');
  return `${symbols.slice(0, GROUP)}-${symbols.slice(GROUP)}`;
}

/** What a shopper types, in the stored form: case, spaces and dashes do not matter. */
export function normalizeOrderNumber(input: string): string {
  const symbols = input.toUpperCase().replace(/[\s-]/g, '');
  return symbols.length === LENGTH ? `${symbols.slice(0, GROUP)}-${symbols.slice(GROUP)}` : symbols;
}
