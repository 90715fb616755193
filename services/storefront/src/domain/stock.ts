/** What a shopper is told about stock; the page script (static/script.ts) mirrors these words. */

export const LOW_STOCK_THRESHOLD = 5;

export type StockState = 'out' | 'low' | 'in';

export function stockState(available: number): StockState {
  if (available <= 0) return 'out';
  return available <= LOW_STOCK_THRESHOLD ? 'low' : 'in';
}

export function stockLabel(available: number): string {
  const state = stockState(available);
  if (state === 'out') return 'Out of stock';
  if (state === 'low') return `Only ${available} left`;
  return 'In stock';
}

/**
 * Units a shopper can buy across warehouses: a warehouse below zero (safety stock above what is on
 * hand) sells nothing but takes nothing from the others.
 */
export function sellableTotal(perWarehouse: Iterable<number>): number {
  let total = 0;
  for (const available of perWarehouse) total += Math.max(0, available);
  return total;
}
