/** Money is integer minor units of an ISO 4217 currency; these turn it into what shoppers read and type. */

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(currency: string): Intl.NumberFormat {
  let formatter = formatters.get(currency);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en', { style: 'currency', currency });
    formatters.set(currency, formatter);
  }
  return formatter;
}

/** Digits after the decimal point of a currency (2 for EUR, 0 for JPY). */
export function minorDigits(currency: string): number {
  return formatterFor(currency).resolvedOptions().maximumFractionDigits ?? 2;
}

export function formatMoney(minor: number, currency: string): string {
  return formatterFor(currency).format(minor / 10 ** minorDigits(currency));
}

/** A price a shopper typed ("12", "12.5", "12,50") in minor units, or an error message. */
export function parseMajorAmount(text: string, currency: string): { minor: number } | { error: string } {
  const digits = minorDigits(currency);
  const normalised = text.trim().replace(',', '.');
  const pattern = digits > 0 ? new RegExp(`^\\d{1,9}(\\.\\d{1,${digits}})?$`) : /^\d{1,9}$/;
  if (!pattern.test(normalised)) {
    return { error: digits > 0 ? `must be an amount such as 20 or 19.99` : 'must be a whole amount such as 2000' };
  }
  const [whole = '0', fraction = ''] = normalised.split('.');
  return { minor: Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0') };
}
