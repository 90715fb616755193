import type { Knex } from '@shop/kit';
import type { Level } from '../domain/stock';

interface LevelRow {
  sku: string;
  warehouse_id: string;
  on_hand: number;
  reserved: number;
  committed: number;
  safety_stock: number;
  incoming: number;
  damaged: number;
  quality_hold: number;
  reorder_point: number | null;
  low_stock: boolean;
}

export const LEVEL_COLUMNS = 'sku, warehouse_id, on_hand, reserved, committed, safety_stock, incoming, damaged, quality_hold, reorder_point, low_stock';

export function toLevel(row: LevelRow): Level {
  return {
    sku: row.sku,
    warehouseId: row.warehouse_id,
    onHand: row.on_hand,
    reserved: row.reserved,
    committed: row.committed,
    safetyStock: row.safety_stock,
    incoming: row.incoming,
    damaged: row.damaged,
    qualityHold: row.quality_hold,
    reorderPoint: row.reorder_point,
    lowStock: row.low_stock,
  };
}

export interface StockKey {
  sku: string;
  warehouseId: string;
}

const sortKeys = (keys: StockKey[]): StockKey[] => {
  const unique = new Map(keys.map((k) => [`${k.sku}\u0000${k.warehouseId}`, k]));
  return [...unique.values()].sort((a, b) => (a.sku === b.sku ? (a.warehouseId < b.warehouseId ? -1 : 1) : a.sku < b.sku ? -1 : 1));
};

/**
 * Locks the given rows, always in (sku, warehouse) order so concurrent writers never deadlock.
 * With `create`, missing rows are inserted first (the warehouse must exist).
 */
export async function lockLevels(trx: Knex.Transaction, keys: StockKey[], create: boolean): Promise<Level[]> {
  const sorted = sortKeys(keys);
  const skus = sorted.map((k) => k.sku);
  const warehouses = sorted.map((k) => k.warehouseId);
  if (create) {
    await trx.raw(
      `insert into stock_levels (sku, warehouse_id) select * from unnest(?::text[], ?::text[]) on conflict do nothing`,
      [skus, warehouses],
    );
  }
  const result = await trx.raw<{ rows: LevelRow[] }>(
    `select ${LEVEL_COLUMNS} from stock_levels
      where (sku, warehouse_id) in (select * from unnest(?::text[], ?::text[]))
      order by sku, warehouse_id for update`,
    [skus, warehouses],
  );
  return result.rows.map(toLevel);
}

export interface LockedSkus {
  levels: Level[];
  /** Priority of each active warehouse holding one of the SKUs. */
  activeWarehouses: Map<string, number>;
  /** Some locked row still counts a hold that has expired. */
  hasExpiredHolds: boolean;
}

/**
 * Locks every warehouse's row of the given SKUs (reservations may draw from any warehouse), and in
 * the same round trip reads the warehouses' priorities and whether expired holds need releasing.
 */
export async function lockSkus(trx: Knex.Transaction, skus: string[]): Promise<LockedSkus> {
  const sorted = [...new Set(skus)].sort();
  const result = await trx.raw<{ rows: Array<LevelRow & { priority: number; active: boolean; has_expired: boolean }> }>(
    `select ${LEVEL_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, w.priority, w.active,
            exists (select 1 from reservation_allocations a
                     where a.sku = s.sku and a.warehouse_id = s.warehouse_id and a.active_until <= now()) as has_expired
       from stock_levels s join warehouses w on w.id = s.warehouse_id
      where s.sku = any(?::text[]) order by s.sku, s.warehouse_id for update of s`,
    [sorted],
  );
  return {
    levels: result.rows.map(toLevel),
    activeWarehouses: new Map(result.rows.filter((r) => r.active).map((r) => [r.warehouse_id, r.priority])),
    hasExpiredHolds: result.rows.some((r) => r.has_expired),
  };
}
