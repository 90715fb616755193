import type { Knex } from '@shop/kit';
import type { ProductRef } from '../domain/products';

export interface LevelReport {
  sku: string;
  warehouseId: string;
  available: number;
  onHand: number;
  reserved: number;
  /** ce-time of the event that reported it. */
  time: string;
}

export interface LevelApplied {
  /** Sellable units of the SKU across warehouses before and after. */
  before: number;
  after: number;
  /** Products selling the SKU (at most one; none when the catalog does not know it yet). */
  products: ProductRef[];
}

// One round trip: the level (only if newer than the stored one), the SKU's total, and who sells it.
const APPLY_LEVEL = `
with level as (
  insert into stock_levels as s (sku, warehouse_id, available, on_hand, reserved, event_time)
  values (?, ?, ?, ?, ?, ?)
  on conflict (sku, warehouse_id) do update
    set available = excluded.available, on_hand = excluded.on_hand, reserved = excluded.reserved,
        event_time = excluded.event_time, updated_at = now()
    where s.event_time <= excluded.event_time
  returning sku, warehouse_id, available
), total as (
  select level.sku,
         greatest(level.available, 0) + coalesce((
           select sum(greatest(o.available, 0)) from stock_levels o where o.sku = level.sku and o.warehouse_id <> level.warehouse_id
         ), 0)::int as available
  from level
), saved as (
  insert into sku_stock (sku, available) select sku, available from total
  on conflict (sku) do update set available = excluded.available
  returning available
)
select (select available from sku_stock where sku = ?) as before,
       (select available from saved) as after,
       coalesce((select json_agg(json_build_object('id', p.id, 'slug', p.slug))
                   from variants v join products p on p.id = v.product_id where v.sku = ?), '[]'::json) as products`;

/**
 * Records a level an inventory event reported. Returns null when the stored level is newer
 * (a late or replayed event), which then changes nothing.
 */
export async function applyLevel(trx: Knex.Transaction, report: LevelReport): Promise<LevelApplied | null> {
  // Serialises changes of one SKU, so the total always counts every warehouse's latest level.
  await trx.raw(`select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`catalog:stock:${report.sku}`]);
  const result = await trx.raw<{ rows: Array<{ before: number | null; after: number | null; products: ProductRef[] }> }>(APPLY_LEVEL, [
    report.sku,
    report.warehouseId,
    report.available,
    report.onHand,
    report.reserved,
    report.time,
    report.sku,
    report.sku,
  ]);
  const row = result.rows[0];
  if (!row || row.after === null) return null;
  return { before: row.before ?? 0, after: row.after, products: row.products };
}

/** Adds units sold per product (from one paid order). */
export async function addSales(trx: Knex.Transaction, units: Map<string, number>): Promise<void> {
  if (!units.size) return;
  await trx.raw(
    `insert into product_sales (product_id, units)
     select product_id, units from jsonb_to_recordset(?::jsonb) as u(product_id uuid, units bigint)
     on conflict (product_id) do update set units = product_sales.units + excluded.units, updated_at = now()`,
    [JSON.stringify([...units].map(([product_id, n]) => ({ product_id, units: n })))],
  );
}
