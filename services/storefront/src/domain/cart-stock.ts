import type { CartLineView, CartView } from '@shop/contracts';

/**
 * A cart with each line's stock as inventory reports it now. Orders checks stock when a line
 * changes; between changes other shoppers buy, so the cart page and checkout look again. A line
 * that is not for sale any more stays so whatever the stock.
 */
export function withStock(cart: CartView, available: ReadonlyMap<string, number>): CartView {
  const lines = cart.lines.map((line): CartLineView => {
    const now = available.get(line.sku);
    if (now === undefined || line.problem === 'unavailable') return line;
    const problem = now <= 0 ? 'out_of_stock' : line.quantity > now ? 'insufficient_stock' : null;
    return { ...line, available: now, problem };
  });
  return { ...cart, lines };
}
