import { MAX_CART_LINES, type CartLineView, type CartView, type SkuPrice } from '@shop/contracts';

/** A cart line as stored: the quantity plus the price and stock seen at the cart's last change. */
export interface StoredLine {
  sku: string;
  productId: string;
  name: string;
  slug: string;
  categoryId: string | null;
  options: Record<string, string>;
  quantity: number;
  unitPriceMinor: number;
  currency: string;
  sellable: boolean;
  available: number;
}

export interface CartHeader {
  id: string;
  shopperId: string;
  currency: string | null;
  version: number;
  updatedAt: string;
}

export function lineProblem(line: Pick<StoredLine, 'sellable' | 'available' | 'quantity'>): CartLineView['problem'] {
  if (!line.sellable) return 'unavailable';
  if (line.available <= 0) return 'out_of_stock';
  if (line.quantity > line.available) return 'insufficient_stock';
  return null;
}

export function cartView(header: CartHeader, lines: readonly StoredLine[]): CartView {
  const views = lines.map(
    (l): CartLineView => ({
      sku: l.sku,
      productId: l.productId,
      name: l.name,
      slug: l.slug,
      options: l.options,
      quantity: l.quantity,
      unitPriceMinor: l.unitPriceMinor,
      lineTotalMinor: l.unitPriceMinor * l.quantity,
      available: l.available,
      problem: lineProblem(l),
    }),
  );
  return {
    id: header.id,
    shopperId: header.shopperId,
    currency: header.currency,
    lines: views,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    subtotalMinor: views.reduce((n, l) => n + l.lineTotalMinor, 0),
    version: header.version,
    updatedAt: header.updatedAt,
  };
}

/** A line priced from the catalog's answer, carrying over what the price list lacks. */
function priced(price: SkuPrice, quantity: number, available: number): StoredLine {
  return {
    sku: price.sku,
    productId: price.productId,
    name: price.productName,
    slug: price.slug,
    categoryId: price.categoryId,
    options: price.options,
    quantity,
    unitPriceMinor: price.priceMinor,
    currency: price.currency,
    sellable: price.sellable,
    available,
  };
}

/** Why a line change is refused. */
export type LineRefusal =
  | { kind: 'unknown-sku' }
  | { kind: 'unsellable' }
  | { kind: 'currency-mismatch'; cartCurrency: string; skuCurrency: string }
  | { kind: 'insufficient-stock'; available: number }
  | { kind: 'cart-full'; limit: number };

export type LineChange = { ok: true; lines: StoredLine[]; currency: string | null } | { ok: false; refusal: LineRefusal };

/** The cart's single currency: that of its lines, or none when it is empty. */
const currencyOf = (lines: readonly StoredLine[]): string | null => lines[0]?.currency ?? null;

/**
 * Re-prices and re-checks every line from fresh catalog and inventory answers. A line the catalog
 * no longer knows, or priced in another currency than the cart, can no longer be bought.
 */
export function refreshLines(lines: readonly StoredLine[], prices: ReadonlyMap<string, SkuPrice>, available: ReadonlyMap<string, number>, currency: string | null): StoredLine[] {
  return lines.map((line) => {
    const price = prices.get(line.sku);
    const stock = available.get(line.sku) ?? line.available;
    if (!price) return { ...line, sellable: false, available: stock };
    const fresh = priced(price, line.quantity, stock);
    return currency !== null && fresh.currency !== currency ? { ...fresh, sellable: false } : fresh;
  });
}

/**
 * Sets one line's quantity (0 removes it) against the catalog's price and the stock available,
 * after refreshing the other lines. Refuses unknown or unsellable SKUs, a second currency, more
 * than is available, and more than MAX_CART_LINES lines.
 */
export function changeLine(
  current: readonly StoredLine[],
  sku: string,
  quantity: number,
  prices: ReadonlyMap<string, SkuPrice>,
  available: ReadonlyMap<string, number>,
): LineChange {
  const others = current.filter((l) => l.sku !== sku);
  if (quantity === 0) {
    const refreshed = refreshLines(others, prices, available, currencyOf(others));
    return { ok: true, lines: refreshed, currency: currencyOf(refreshed) };
  }
  const price = prices.get(sku);
  if (!price) return { ok: false, refusal: { kind: 'unknown-sku' } };
  if (!price.sellable) return { ok: false, refusal: { kind: 'unsellable' } };
  const cartCurrency = currencyOf(others);
  if (cartCurrency !== null && cartCurrency !== price.currency) {
    return { ok: false, refusal: { kind: 'currency-mismatch', cartCurrency, skuCurrency: price.currency } };
  }
  const stock = available.get(sku) ?? 0;
  if (quantity > stock) return { ok: false, refusal: { kind: 'insufficient-stock', available: Math.max(0, stock) } };
  const isNew = others.length === current.length;
  if (isNew && current.length >= MAX_CART_LINES) return { ok: false, refusal: { kind: 'cart-full', limit: MAX_CART_LINES } };
  const line = priced(price, quantity, stock);
  const position = current.findIndex((l) => l.sku === sku);
  const refreshed = refreshLines(others, prices, available, price.currency);
  const lines = position < 0 ? [...refreshed, line] : [...refreshed.slice(0, position), line, ...refreshed.slice(position)];
  return { ok: true, lines, currency: price.currency };
}
