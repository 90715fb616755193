import type { Knex } from '@shop/kit';
import { problems } from '@shop/kit';
import { availableOf, snapshot, type Level } from '../domain/stock';
import type { LedgerEntry } from './ledger';
import { LEVEL_COLUMNS, toLevel } from './levels';

type LevelRow = Parameters<typeof toLevel>[0] & { expired_hold: number; updated_at: Date };

/**
 * Levels as shoppers and staff should see them: holds that expired but are not swept yet
 * no longer count as reserved.
 */
const EFFECTIVE = `select ${LEVEL_COLUMNS.split(', ').map((c) => `s.${c}`).join(', ')}, s.updated_at,
  coalesce((select sum(a.quantity) from reservation_allocations a
             where a.sku = s.sku and a.warehouse_id = s.warehouse_id and a.active_until <= now()), 0)::int as expired_hold
  from stock_levels s`;

export interface LevelView extends ReturnType<typeof snapshot> {
  sku: string;
  warehouseId: string;
  reorderPoint: number | null;
  lowStock: boolean;
  updatedAt: string;
}

function effective(row: LevelRow): Level & { updatedAt: Date } {
  const level = toLevel(row);
  return { ...level, reserved: level.reserved - row.expired_hold, updatedAt: row.updated_at };
}

export function levelView(level: Level, updatedAt: Date = new Date()): LevelView {
  return { sku: level.sku, warehouseId: level.warehouseId, ...snapshot(level), reorderPoint: level.reorderPoint, lowStock: level.lowStock, updatedAt: updatedAt.toISOString() };
}

export async function getLevel(db: Knex, sku: string, warehouseId: string): Promise<LevelView | null> {
  const result = await db.raw<{ rows: LevelRow[] }>(`${EFFECTIVE} where s.sku = ? and s.warehouse_id = ?`, [sku, warehouseId]);
  const row = result.rows[0];
  if (!row) return null;
  const level = effective(row);
  return levelView(level, level.updatedAt);
}

export interface SkuAvailability {
  sku: string;
  available: number;
  warehouses: Array<{ warehouseId: string; available: number; onHand: number }>;
}

/** Sellable stock for many SKUs at once, per warehouse and in total, from active warehouses. */
export async function availability(db: Knex, skus: string[], warehouseIds: string[] | null): Promise<SkuAvailability[]> {
  const result = await db.raw<{ rows: LevelRow[] }>(
    `${EFFECTIVE} join warehouses w on w.id = s.warehouse_id and w.active
      where s.sku = any(?::text[]) ${warehouseIds ? 'and s.warehouse_id = any(?::text[])' : ''}
      order by s.sku, s.warehouse_id`,
    warehouseIds ? [skus, warehouseIds] : [skus],
  );
  const bySku = new Map<string, SkuAvailability>(skus.map((sku) => [sku, { sku, available: 0, warehouses: [] }]));
  for (const row of result.rows) {
    const level = effective(row);
    const entry = bySku.get(level.sku)!;
    const available = availableOf(level);
    entry.available += available;
    entry.warehouses.push({ warehouseId: level.warehouseId, available, onHand: level.onHand });
  }
  return [...bySku.values()];
}

export const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    // falls through to the validation problem
  }
  throw problems.validation([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
}

const isLevelCursor = (v: unknown): v is { w: string; s: string } =>
  typeof v === 'object' && v !== null && typeof (v as { w?: unknown }).w === 'string' && typeof (v as { s?: unknown }).s === 'string';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export async function listLevels(
  db: Knex,
  filter: {
    warehouseIds: string[] | null;
    skus?: string[] | undefined;
    skuPrefix?: string | undefined;
    lowStock?: boolean | undefined;
    cursor?: string | undefined;
    limit: number;
  },
): Promise<Page<LevelView>> {
  const where: string[] = [];
  const bindings: unknown[] = [];
  if (filter.warehouseIds) {
    where.push('s.warehouse_id = any(?::text[])');
    bindings.push(filter.warehouseIds);
  }
  if (filter.skus) {
    where.push('s.sku = any(?::text[])');
    bindings.push(filter.skus);
  }
  if (filter.skuPrefix) {
    where.push(`s.sku like ? escape '\\'`);
    bindings.push(`${filter.skuPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  if (filter.lowStock !== undefined) {
    where.push('s.low_stock = ?');
    bindings.push(filter.lowStock);
  }
  if (filter.cursor) {
    const c = decodeCursor(filter.cursor, isLevelCursor);
    where.push('(s.warehouse_id, s.sku) > (?, ?)');
    bindings.push(c.w, c.s);
  }
  bindings.push(filter.limit + 1);
  const result = await db.raw<{ rows: LevelRow[] }>(
    `${EFFECTIVE} ${where.length ? `where ${where.join(' and ')}` : ''} order by s.warehouse_id, s.sku limit ?`,
    bindings as Knex.RawBinding[],
  );
  const rows = result.rows.slice(0, filter.limit).map(effective);
  const last = rows[rows.length - 1];
  return {
    items: rows.map((l) => levelView(l, l.updatedAt)),
    nextCursor: result.rows.length > filter.limit && last ? encodeCursor({ w: last.warehouseId, s: last.sku }) : null,
  };
}

/** A ledger entry as the API shows it. */
export interface LedgerView extends Omit<LedgerEntry, 'kind' | 'delta' | 'before' | 'after'> {
  id: number;
  kind: string;
  delta: Record<string, number>;
  before: unknown;
  after: unknown;
  createdAt: string;
}

interface LedgerRow {
  id: string;
  movement_id: string;
  sku: string;
  warehouse_id: string;
  kind: string;
  reason: string | null;
  reference: string | null;
  reservation_id: string | null;
  transfer_id: string | null;
  actor: string;
  idempotency_key: string | null;
  d_on_hand: number;
  d_reserved: number;
  d_committed: number;
  d_incoming: number;
  d_damaged: number;
  d_quality_hold: number;
  before: unknown;
  after: unknown;
  created_at: Date;
}

const isIdCursor = (v: unknown): v is { id: number } => typeof v === 'object' && v !== null && Number.isInteger((v as { id?: unknown }).id);

/** Newest first. */
export async function listLedger(
  db: Knex,
  filter: { warehouseIds: string[] | null; sku?: string | undefined; warehouseId?: string | undefined; reservationId?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<Page<LedgerView>> {
  const q = db<LedgerRow>('ledger').orderBy('id', 'desc').limit(filter.limit + 1);
  if (filter.warehouseIds) q.whereIn('warehouse_id', filter.warehouseIds);
  if (filter.sku) q.where('sku', filter.sku);
  if (filter.warehouseId) q.where('warehouse_id', filter.warehouseId);
  if (filter.reservationId) q.where('reservation_id', filter.reservationId);
  if (filter.cursor) q.where('id', '<', decodeCursor(filter.cursor, isIdCursor).id);
  const rows = (await q) as LedgerRow[];
  const items = rows.slice(0, filter.limit).map((r) => ({
    id: Number(r.id),
    movementId: r.movement_id,
    sku: r.sku,
    warehouseId: r.warehouse_id,
    kind: r.kind,
    reason: r.reason,
    reference: r.reference,
    reservationId: r.reservation_id,
    transferId: r.transfer_id,
    actor: r.actor,
    idempotencyKey: r.idempotency_key,
    delta: { onHand: r.d_on_hand, reserved: r.d_reserved, committed: r.d_committed, incoming: r.d_incoming, damaged: r.d_damaged, qualityHold: r.d_quality_hold },
    before: r.before,
    after: r.after,
    createdAt: r.created_at.toISOString(),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > filter.limit && last ? encodeCursor({ id: last.id }) : null };
}

export interface WarehouseView {
  id: string;
  name: string;
  priority: number;
  active: boolean;
}

export async function listWarehouses(db: Knex, ids: string[] | null): Promise<WarehouseView[]> {
  const q = db('warehouses').select('id', 'name', 'priority', 'active').orderBy(['priority', 'id']);
  if (ids) q.whereIn('id', ids);
  return (await q) as WarehouseView[];
}
