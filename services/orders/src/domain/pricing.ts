import { minorUnitsSchema, type OrderLine, type SkuPrice } from '@shop/contracts';
import type { StoredLine } from './cart';

export interface ShippingRule {
  feeMinor: number;
  /** Subtotal from which shipping is free; null means never. */
  freeFromMinor: number | null;
}

export interface PricedOrder {
  currency: string;
  lines: OrderLine[];
  subtotalMinor: number;
  shippingMinor: number;
  totalMinor: number;
}

export type PricingRefusal =
  | { kind: 'empty' }
  | { kind: 'unsellable'; skus: string[] }
  | { kind: 'mixed-currencies'; currencies: string[] }
  | { kind: 'prices-changed'; changes: Array<{ sku: string; before: number; after: number }> }
  | { kind: 'too-large' };

export type Pricing = { ok: true; order: PricedOrder } | { ok: false; refusal: PricingRefusal };

export const shippingFor = (subtotalMinor: number, rule: ShippingRule): number =>
  rule.freeFromMinor !== null && subtotalMinor >= rule.freeFromMinor ? 0 : rule.feeMinor;

/**
 * Prices a cart afresh for checkout from the catalog's current answer. The shopper pays what the
 * cart showed or nothing: a price that moved since the cart last changed refuses the checkout.
 */
export function priceCart(lines: readonly StoredLine[], prices: ReadonlyMap<string, SkuPrice>, rule: ShippingRule): Pricing {
  if (lines.length === 0) return { ok: false, refusal: { kind: 'empty' } };
  const unsellable = lines.filter((l) => !prices.get(l.sku)?.sellable).map((l) => l.sku);
  if (unsellable.length) return { ok: false, refusal: { kind: 'unsellable', skus: unsellable } };
  const fresh = lines.map((l) => ({ line: l, price: prices.get(l.sku)! }));
  const currencies = [...new Set(fresh.map((f) => f.price.currency))];
  if (currencies.length > 1 || currencies[0] !== lines[0]!.currency) {
    return { ok: false, refusal: { kind: 'mixed-currencies', currencies: [...new Set([lines[0]!.currency, ...currencies])] } };
  }
  const changes = fresh.filter((f) => f.price.priceMinor !== f.line.unitPriceMinor).map((f) => ({ sku: f.line.sku, before: f.line.unitPriceMinor, after: f.price.priceMinor }));
  if (changes.length) return { ok: false, refusal: { kind: 'prices-changed', changes } };
  const orderLines = fresh.map(
    ({ line, price }): OrderLine => ({
      productId: price.productId,
      sku: price.sku,
      name: price.productName,
      categoryId: price.categoryId,
      quantity: line.quantity,
      unitPriceMinor: price.priceMinor,
      lineTotalMinor: price.priceMinor * line.quantity,
    }),
  );
  const subtotalMinor = orderLines.reduce((n, l) => n + l.lineTotalMinor, 0);
  const shippingMinor = shippingFor(subtotalMinor, rule);
  const totalMinor = subtotalMinor + shippingMinor;
  if (!minorUnitsSchema.safeParse(totalMinor).success) return { ok: false, refusal: { kind: 'too-large' } };
  return { ok: true, order: { currency: currencies[0]!, lines: orderLines, subtotalMinor, shippingMinor, totalMinor } };
}
