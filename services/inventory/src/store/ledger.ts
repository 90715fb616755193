import type { Knex } from '@shop/kit';
import type { StockDelta, StockLevelSnapshot } from '@shop/contracts';
import type { MovementKind } from '../domain/stock';

export interface LedgerEntry {
  movementId: string;
  sku: string;
  warehouseId: string;
  kind: MovementKind;
  reason: string | null;
  reference: string | null;
  reservationId: string | null;
  transferId: string | null;
  actor: string;
  idempotencyKey: string | null;
  delta: StockDelta;
  before: StockLevelSnapshot;
  after: StockLevelSnapshot;
}

export interface DriftRow {
  sku: string;
  warehouseId: string;
  field: string;
  stored: number;
  ledger: number;
}

/** Compares stored levels with the projection of the ledger; any row returned is drift. */
export async function findDrift(db: Knex): Promise<DriftRow[]> {
  const result = await db.raw<{ rows: Array<{ sku: string; warehouse_id: string; field: string; stored: number; ledger: number }> }>(`
    with projection as (
      select sku, warehouse_id,
             sum(d_on_hand)::int as on_hand, sum(d_reserved)::int as reserved, sum(d_committed)::int as committed,
             sum(d_incoming)::int as incoming, sum(d_damaged)::int as damaged, sum(d_quality_hold)::int as quality_hold
        from ledger group by sku, warehouse_id
    ), joined as (
      select coalesce(s.sku, p.sku) as sku, coalesce(s.warehouse_id, p.warehouse_id) as warehouse_id,
             coalesce(s.on_hand, 0) s_on_hand, coalesce(p.on_hand, 0) p_on_hand,
             coalesce(s.reserved, 0) s_reserved, coalesce(p.reserved, 0) p_reserved,
             coalesce(s.committed, 0) s_committed, coalesce(p.committed, 0) p_committed,
             coalesce(s.incoming, 0) s_incoming, coalesce(p.incoming, 0) p_incoming,
             coalesce(s.damaged, 0) s_damaged, coalesce(p.damaged, 0) p_damaged,
             coalesce(s.quality_hold, 0) s_quality_hold, coalesce(p.quality_hold, 0) p_quality_hold
        from stock_levels s full outer join projection p on p.sku = s.sku and p.warehouse_id = s.warehouse_id
    )
    select sku, warehouse_id, f.field, f.stored, f.ledger from joined,
      lateral (values ('onHand', s_on_hand, p_on_hand), ('reserved', s_reserved, p_reserved),
                      ('committed', s_committed, p_committed), ('incoming', s_incoming, p_incoming),
                      ('damaged', s_damaged, p_damaged), ('qualityHold', s_quality_hold, p_quality_hold)) as f(field, stored, ledger)
     where f.stored <> f.ledger
     order by sku, warehouse_id, f.field`);
  return result.rows.map((r) => ({ sku: r.sku, warehouseId: r.warehouse_id, field: r.field, stored: r.stored, ledger: r.ledger }));
}
