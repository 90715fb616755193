import { availableOf, type Level } from './stock';

export type AllocationStrategy = 'priority' | 'most_stock';

export interface RequestedLine {
  sku: string;
  quantity: number;
}

export interface Allocation {
  sku: string;
  warehouseId: string;
  quantity: number;
}

export interface Shortage {
  sku: string;
  requested: number;
  available: number;
}

export type AllocationResult = { ok: true; allocations: Allocation[] } | { ok: false; shortages: Shortage[] };

/**
 * Places every line of a reservation, all or nothing. Warehouses are tried by priority
 * (lower first) or by most available stock; a line is split across warehouses when needed.
 */
export function allocate(
  lines: RequestedLine[],
  levelsBySku: Map<string, Level[]>,
  warehousePriority: Map<string, number>,
  strategy: AllocationStrategy,
): AllocationResult {
  const allocations: Allocation[] = [];
  const shortages: Shortage[] = [];
  for (const line of lines) {
    const candidates = (levelsBySku.get(line.sku) ?? []).filter((l) => availableOf(l) > 0 && warehousePriority.has(l.warehouseId));
    candidates.sort((a, b) =>
      strategy === 'priority'
        ? warehousePriority.get(a.warehouseId)! - warehousePriority.get(b.warehouseId)! || a.warehouseId.localeCompare(b.warehouseId)
        : availableOf(b) - availableOf(a) || a.warehouseId.localeCompare(b.warehouseId),
    );
    let remaining = line.quantity;
    const placed: Allocation[] = [];
    for (const level of candidates) {
      if (remaining === 0) break;
      const take = Math.min(remaining, availableOf(level));
      placed.push({ sku: line.sku, warehouseId: level.warehouseId, quantity: take });
      remaining -= take;
    }
    if (remaining > 0) {
      shortages.push({ sku: line.sku, requested: line.quantity, available: line.quantity - remaining });
    } else {
      allocations.push(...placed);
    }
  }
  return shortages.length ? { ok: false, shortages } : { ok: true, allocations };
}

/** Merges repeated SKUs of a request so each SKU is allocated once. */
export function mergeLines(lines: RequestedLine[]): RequestedLine[] {
  const merged = new Map<string, number>();
  for (const l of lines) merged.set(l.sku, (merged.get(l.sku) ?? 0) + l.quantity);
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}
