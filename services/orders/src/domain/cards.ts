/** What the platform keeps of a card: its brand and last four digits, never the number or CVC. */
export interface CardSummary {
  brand: string;
  last4: string;
}

const BRANDS: Array<[brand: string, pattern: RegExp]> = [
  ['visa', /^4/],
  ['mastercard', /^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/],
  ['amex', /^3[47]/],
  ['discover', /^(6011|65|64[4-9])/],
];

export function summarizeCard(number: string): CardSummary {
  const brand = BRANDS.find(([, pattern]) => pattern.test(number))?.[0] ?? 'card';
  return { brand, last4: number.slice(-4) };
}

/** MM/YY is valid through the last day of that month. */
export function cardExpired(expiry: string, now: Date): boolean {
  const match = /^(\d{2})\/(\d{2})$/.exec(expiry);
  if (!match) return true;
  const month = Number(match[1]);
  const year = 2000 + Number(match[2]);
  return year < now.getUTCFullYear() || (year === now.getUTCFullYear() && month < now.getUTCMonth() + 1);
}
