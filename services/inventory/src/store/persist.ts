import { OUTBOX_INSERT_CTE, outboxNotifySelect, outboxParameter, type Knex } from '@shop/kit';
import type { FinishedChanges } from '../domain/changes';
import type { Level } from '../domain/stock';
import type { LedgerEntry } from './ledger';

const levelRecord = (l: Level) => ({
  sku: l.sku,
  warehouse_id: l.warehouseId,
  on_hand: l.onHand,
  reserved: l.reserved,
  committed: l.committed,
  safety_stock: l.safetyStock,
  incoming: l.incoming,
  damaged: l.damaged,
  quality_hold: l.qualityHold,
  reorder_point: l.reorderPoint,
  low_stock: l.lowStock,
});

const ledgerRecord = (e: LedgerEntry) => ({
  movement_id: e.movementId,
  sku: e.sku,
  warehouse_id: e.warehouseId,
  kind: e.kind,
  reason: e.reason,
  reference: e.reference,
  reservation_id: e.reservationId,
  transfer_id: e.transferId,
  actor: e.actor,
  idempotency_key: e.idempotencyKey,
  d_on_hand: e.delta.onHand,
  d_reserved: e.delta.reserved,
  d_committed: e.delta.committed,
  d_incoming: e.delta.incoming,
  d_damaged: e.delta.damaged,
  d_quality_hold: e.delta.qualityHold,
  before: e.before,
  after: e.after,
});

/** Rows a stock change inserts besides levels, ledger and events (reservations and their allocations). */
export interface ReservationRows {
  reservations: Array<Record<string, unknown>>;
  allocations: Array<Record<string, unknown>>;
}

// Levels, ledger entries, events and new reservations in one statement: one round trip per transaction.
const WRITE_CHANGES = `
with levels as (
  update stock_levels s set
    on_hand = v.on_hand, reserved = v.reserved, committed = v.committed, safety_stock = v.safety_stock,
    incoming = v.incoming, damaged = v.damaged, quality_hold = v.quality_hold,
    reorder_point = v.reorder_point, low_stock = v.low_stock, version = s.version + 1, updated_at = now()
  from jsonb_to_recordset(?::jsonb) as v(sku text, warehouse_id text, on_hand int, reserved int, committed int,
    safety_stock int, incoming int, damaged int, quality_hold int, reorder_point int, low_stock boolean)
  where s.sku = v.sku and s.warehouse_id = v.warehouse_id
  returning 1
), entries as (
  insert into ledger (movement_id, sku, warehouse_id, kind, reason, reference, reservation_id, transfer_id, actor,
    idempotency_key, d_on_hand, d_reserved, d_committed, d_incoming, d_damaged, d_quality_hold, before, after)
  select movement_id, sku, warehouse_id, kind, reason, reference, reservation_id, transfer_id, actor,
    idempotency_key, d_on_hand, d_reserved, d_committed, d_incoming, d_damaged, d_quality_hold, before, after
  from jsonb_to_recordset(?::jsonb) as e(movement_id uuid, sku text, warehouse_id text, kind text, reason text,
    reference text, reservation_id uuid, transfer_id uuid, actor text, idempotency_key text, d_on_hand int,
    d_reserved int, d_committed int, d_incoming int, d_damaged int, d_quality_hold int, before jsonb, after jsonb)
  returning 1
), events as (${OUTBOX_INSERT_CTE}
), held as (
  insert into reservations (id, reference, status, expires_at, actor, created_at, updated_at)
  select id, reference, status, expires_at, actor, created_at, updated_at
  from jsonb_to_recordset(?::jsonb) as x(id uuid, reference text, status text, expires_at timestamptz, actor text, created_at timestamptz, updated_at timestamptz)
  returning id
), allocated as (
  insert into reservation_allocations (reservation_id, sku, warehouse_id, quantity, active_until)
  select reservation_id, sku, warehouse_id, quantity, active_until
  from jsonb_to_recordset(?::jsonb) as a(reservation_id uuid, sku text, warehouse_id text, quantity int, active_until timestamptz)
  -- reading held makes the reservations go in first, so the foreign key holds
  where exists (select 1 from held where held.id = a.reservation_id)
  returning 1
)
${outboxNotifySelect('events')}`;

/** Writes a transaction's stock rows, ledger entries, outbox events and new reservations together. */
export async function persistChanges(trx: Knex.Transaction, changes: FinishedChanges, rows: ReservationRows = { reservations: [], allocations: [] }): Promise<void> {
  await trx.raw(WRITE_CHANGES, [
    JSON.stringify(changes.levels.map(levelRecord)),
    JSON.stringify(changes.entries.map(ledgerRecord)),
    outboxParameter(changes.events),
    JSON.stringify(rows.reservations),
    JSON.stringify(rows.allocations),
  ]);
}
