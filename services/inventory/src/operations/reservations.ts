import { randomUUID } from 'node:crypto';
import { problems, type Knex } from '@shop/kit';
import { allocate, mergeLines, type Allocation, type AllocationStrategy, type RequestedLine, type Shortage } from '../domain/allocation';
import { ChangeSet } from '../domain/changes';
import { StockRuleViolation, type Level, type Movement } from '../domain/stock';
import { lockLevels, lockSkus } from '../store/levels';
import { persistChanges } from '../store/persist';
import { Batcher } from './batcher';
import { asStockProblem, metaFor, mutate, type Actor, type Core } from './core';

export type ReservationStatus = 'active' | 'committed' | 'fulfilled' | 'released' | 'expired';

export interface ReservationView {
  id: string;
  reference: string;
  status: ReservationStatus;
  expiresAt: string;
  createdAt: string;
  allocations: Allocation[];
}

export interface ReserveInput {
  reference: string;
  lines: RequestedLine[];
  ttlSeconds: number;
  strategy: AllocationStrategy;
  /** Only these warehouses may supply the reservation (default: all active). */
  warehouseIds?: string[] | undefined;
}

export type ReserveOutcome = { ok: true; reservation: ReservationView } | { ok: false; shortages: Shortage[] };

interface ReserveRequest {
  input: ReserveInput;
  who: Actor;
}

/** A change of a reservation's state that only moves its own units (commit, fulfil, release). */
interface TransitionRequest {
  who: Actor;
  id: string;
  allowed: readonly ReservationStatus[];
  next: ReservationStatus;
  movement: (a: AllocationRow, status: ReservationStatus) => Movement;
}

type TransitionOutcome = { ok: true; view: ReservationView } | { ok: false; error: unknown };

interface ReservationRow {
  id: string;
  reference: string;
  status: ReservationStatus;
  expires_at: Date;
  created_at: Date;
}

interface AllocationRow {
  reservation_id: string;
  sku: string;
  warehouse_id: string;
  quantity: number;
}

const toAllocation = (a: AllocationRow): Allocation => ({ sku: a.sku, warehouseId: a.warehouse_id, quantity: a.quantity });
/** Allocations in (SKU, warehouse) order by code point, whichever collation the database has. */
const byKey = (a: AllocationRow, b: AllocationRow): number => {
  const x = `${a.sku}\u0000${a.warehouse_id}`;
  const y = `${b.sku}\u0000${b.warehouse_id}`;
  return x < y ? -1 : x > y ? 1 : 0;
};

export async function getReservation(db: Knex | Knex.Transaction, id: string): Promise<ReservationView | null> {
  const row = (await db<ReservationRow>('reservations').where({ id }).first()) as ReservationRow | undefined;
  if (!row) return null;
  const allocations = (await db('reservation_allocations').where({ reservation_id: id })) as AllocationRow[];
  return view(row, allocations.sort(byKey).map(toAllocation));
}

const view = (row: ReservationRow, allocations: Allocation[]): ReservationView => ({
  id: row.id,
  reference: row.reference,
  status: row.status,
  expiresAt: row.expires_at.toISOString(),
  createdAt: row.created_at.toISOString(),
  allocations,
});

/**
 * Releases holds that have expired, but only those whose every allocation is among the
 * already-locked rows: other locks are never waited for here (SKIP LOCKED), so no deadlock.
 */
async function expireWithin(trx: Knex.Transaction, changes: ChangeSet, lockedSkus: Set<string>, who: Actor): Promise<string[]> {
  const due = await trx.raw<{ rows: Array<AllocationRow & { all_locked: boolean }> }>(
    `select a.reservation_id, a.sku, a.warehouse_id, a.quantity
       from reservation_allocations a
      where a.reservation_id in (
        select r.id from reservations r
         where r.id in (select reservation_id from reservation_allocations where sku = any(?::text[]) and active_until <= now())
           and r.status = 'active' and r.expires_at <= now()
         for update skip locked)`,
    [[...lockedSkus]],
  );
  const byReservation = new Map<string, AllocationRow[]>();
  for (const row of due.rows) byReservation.set(row.reservation_id, [...(byReservation.get(row.reservation_id) ?? []), row]);
  const expired: string[] = [];
  for (const [id, rows] of byReservation) {
    if (!rows.every((r) => lockedSkus.has(r.sku))) continue;
    changes.apply(
      rows.map((r): Movement => ({ sku: r.sku, warehouseId: r.warehouse_id, kind: 'expire', delta: { reserved: -r.quantity }, reservationId: id, reason: 'hold expired' })),
      metaFor(who),
    );
    expired.push(id);
  }
  if (expired.length) await closeReservations(trx, expired, 'expired');
  return expired;
}

async function closeReservations(trx: Knex.Transaction, ids: string[], status: ReservationStatus): Promise<void> {
  await trx('reservations').whereIn('id', ids).update({ status, updated_at: trx.fn.now() });
  await trx('reservation_allocations').whereIn('reservation_id', ids).update({ active_until: null });
}

const SYSTEM: Actor = { actor: 'system:hold-expiry', idempotencyKey: null };

export class Reservations {
  private readonly batcher: Batcher<ReserveRequest, ReserveOutcome>;
  private readonly transitions: Batcher<TransitionRequest, TransitionOutcome>;

  constructor(private readonly core: Core) {
    this.batcher = new Batcher((requests) => this.reserveBatch(requests), { maxBatch: 200, concurrency: 2 });
    this.transitions = new Batcher((requests) => this.transitionBatch(requests), { maxBatch: 200, concurrency: 2 });
  }

  /** All lines or none; coalesced with concurrent reservations into one transaction. */
  reserve(who: Actor, input: ReserveInput): Promise<ReserveOutcome> {
    return this.batcher.submit({ who, input: { ...input, lines: mergeLines(input.lines) } }).catch((err: unknown) => {
      throw asStockProblem(err);
    });
  }

  private async reserveBatch(requests: ReserveRequest[]): Promise<ReserveOutcome[]> {
    let changed: Level[] = [];
    const outcomes = await this.core.db.transaction(async (trx) => {
      const skus = new Set(requests.flatMap((r) => r.input.lines.map((l) => l.sku)));
      const locked = await lockSkus(trx, [...skus]);
      const changes = new ChangeSet(locked.levels);
      if (locked.hasExpiredHolds) await expireWithin(trx, changes, skus, SYSTEM);
      const results: ReserveOutcome[] = [];
      const reservationRows: Array<Record<string, unknown>> = [];
      const allocationRows: Array<Record<string, unknown>> = [];
      for (const { who, input } of requests) {
        const eligible = new Map([...locked.activeWarehouses].filter(([id]) => !input.warehouseIds || input.warehouseIds.includes(id)));
        const levelsBySku = new Map(input.lines.map((l) => [l.sku, changes.levelsOf(l.sku)]));
        const placed = allocate(input.lines, levelsBySku, eligible, input.strategy);
        if (!placed.ok) {
          results.push(placed);
          continue;
        }
        const id = randomUUID();
        try {
          changes.apply(
            placed.allocations.map((a): Movement => ({ sku: a.sku, warehouseId: a.warehouseId, kind: 'reserve', delta: { reserved: a.quantity }, reservationId: id, reference: input.reference })),
            metaFor(who),
          );
        } catch (err) {
          if (!(err instanceof StockRuleViolation)) throw err;
          results.push({ ok: false, shortages: [{ sku: err.sku, requested: 0, available: 0 }] });
          continue;
        }
        const now = new Date();
        const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
        reservationRows.push({ id, reference: input.reference, status: 'active', expires_at: expiresAt, actor: who.actor, created_at: now, updated_at: now });
        allocationRows.push(...placed.allocations.map((a) => ({ reservation_id: id, sku: a.sku, warehouse_id: a.warehouseId, quantity: a.quantity, active_until: expiresAt })));
        results.push({
          ok: true,
          reservation: { id, reference: input.reference, status: 'active', expiresAt: expiresAt.toISOString(), createdAt: now.toISOString(), allocations: placed.allocations },
        });
      }
      const finished = changes.finish();
      await persistChanges(trx, finished, { reservations: reservationRows, allocations: allocationRows });
      changed = finished.levels;
      return results;
    });
    if (changed.length) this.core.onCommitted(changed);
    return outcomes;
  }

  private transition(
    who: Actor,
    id: string,
    allowed: ReservationStatus[],
    next: ReservationStatus,
    movement: (a: AllocationRow, status: ReservationStatus) => Movement,
    extra?: (trx: Knex.Transaction) => Promise<void>,
  ): Promise<ReservationView> {
    const meta = metaFor(who);
    return mutate(this.core, async (trx) => {
      const row = (await trx<ReservationRow>('reservations').where({ id }).forUpdate().first()) as ReservationRow | undefined;
      if (!row) throw problems.notFound(`Reservation ${id}`);
      const expired = row.status === 'active' && row.expires_at.getTime() <= Date.now();
      if (expired || !allowed.includes(row.status)) {
        const status = expired ? 'expired' : row.status;
        throw problems.conflict(`reservation-${status}`, `Reservation is ${status}`, `Reservation ${id} is ${status}; cannot move it to ${next}`, { reservationStatus: status });
      }
      const allocations = (await trx('reservation_allocations').where({ reservation_id: id })) as AllocationRow[];
      const changes = new ChangeSet(await lockLevels(trx, allocations.map((a) => ({ sku: a.sku, warehouseId: a.warehouse_id })), false));
      changes.apply(allocations.map((a) => movement(a, row.status)), meta);
      if (extra) await extra(trx);
      if (next !== row.status) {
        await trx('reservations').where({ id }).update({ status: next, updated_at: trx.fn.now() });
        if (next !== 'active') await trx('reservation_allocations').where({ reservation_id: id }).update({ active_until: null });
      }
      return { changes, result: (await getReservation(trx, id))! };
    });
  }

  /** One reservation's state change, coalesced with concurrent ones into one transaction. */
  private async grouped(request: TransitionRequest): Promise<ReservationView> {
    const outcome = await this.transitions.submit(request).catch((err: unknown): TransitionOutcome => ({ ok: false, error: err }));
    if (!outcome.ok) throw asStockProblem(outcome.error);
    return outcome.view;
  }

  /**
   * Commits, fulfils or releases many reservations in one transaction: their rows, then their stock
   * rows are locked in key order (as every writer does), each request is checked and applied on its
   * own (a refused one changes nothing), and levels, ledger and events are written together.
   */
  private async transitionBatch(requests: TransitionRequest[]): Promise<TransitionOutcome[]> {
    let changed: Level[] = [];
    const outcomes = await this.core.db.transaction(async (trx) => {
      const ids = [...new Set(requests.map((r) => r.id))];
      const rows = (await trx.raw<{ rows: ReservationRow[] }>('select * from reservations where id = any(?::uuid[]) order by id for update', [ids])).rows;
      const current = new Map(rows.map((r) => [r.id, r]));
      const allocations = (await trx('reservation_allocations').whereIn('reservation_id', ids)) as AllocationRow[];
      const byReservation = new Map<string, AllocationRow[]>();
      for (const a of allocations) byReservation.set(a.reservation_id, [...(byReservation.get(a.reservation_id) ?? []), a]);
      const changes = new ChangeSet(await lockLevels(trx, allocations.map((a) => ({ sku: a.sku, warehouseId: a.warehouse_id })), false));
      const results: TransitionOutcome[] = [];
      const now = Date.now();
      for (const request of requests) {
        const row = current.get(request.id);
        if (!row) {
          results.push({ ok: false, error: problems.notFound(`Reservation ${request.id}`) });
          continue;
        }
        const expired = row.status === 'active' && row.expires_at.getTime() <= now;
        if (expired || !request.allowed.includes(row.status)) {
          const status = expired ? 'expired' : row.status;
          const detail = `Reservation ${request.id} is ${status}; cannot move it to ${request.next}`;
          results.push({ ok: false, error: problems.conflict(`reservation-${status}`, `Reservation is ${status}`, detail, { reservationStatus: status }) });
          continue;
        }
        const own = byReservation.get(request.id) ?? [];
        try {
          changes.apply(own.map((a) => request.movement(a, row.status)), metaFor(request.who));
        } catch (err) {
          results.push({ ok: false, error: err });
          continue;
        }
        const updated: ReservationRow = { ...row, status: request.next };
        current.set(request.id, updated);
        results.push({ ok: true, view: view(updated, [...own].sort(byKey).map(toAllocation)) });
      }
      const moved = [...current.values()].filter((r) => rows.find((o) => o.id === r.id)?.status !== r.status);
      if (moved.length) {
        await trx.raw(
          `update reservations r set status = m.status, updated_at = now() from jsonb_to_recordset(?::jsonb) as m(id uuid, status text) where r.id = m.id`,
          [JSON.stringify(moved.map((r) => ({ id: r.id, status: r.status })))],
        );
        await trx('reservation_allocations').whereIn('reservation_id', moved.map((r) => r.id)).update({ active_until: null });
      }
      const finished = changes.finish();
      await persistChanges(trx, finished);
      changed = finished.levels;
      return results;
    });
    if (changed.length) this.core.onCommitted(changed);
    return outcomes;
  }

  extend(who: Actor, id: string, ttlSeconds: number): Promise<ReservationView> {
    const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
    return this.transition(
      who,
      id,
      ['active'],
      'active',
      (a) => ({ sku: a.sku, warehouseId: a.warehouse_id, kind: 'extend', delta: {}, reservationId: id, reason: `until ${expiresAt.toISOString()}` }),
      async (trx) => {
        await trx('reservations').where({ id }).update({ expires_at: expiresAt, updated_at: trx.fn.now() });
        await trx('reservation_allocations').where({ reservation_id: id }).update({ active_until: expiresAt });
      },
    );
  }

  commit(who: Actor, id: string): Promise<ReservationView> {
    return this.grouped({
      who,
      id,
      allowed: ['active'],
      next: 'committed',
      movement: (a) => ({ sku: a.sku, warehouseId: a.warehouse_id, kind: 'commit', delta: { reserved: -a.quantity, committed: a.quantity }, reservationId: id, reason: 'order paid' }),
    });
  }

  fulfil(who: Actor, id: string): Promise<ReservationView> {
    return this.grouped({
      who,
      id,
      allowed: ['committed'],
      next: 'fulfilled',
      movement: (a) => ({ sku: a.sku, warehouseId: a.warehouse_id, kind: 'fulfil', delta: { committed: -a.quantity, onHand: -a.quantity }, reservationId: id, reason: 'shipped' }),
    });
  }

  /** Cancels a hold, or a committed reservation (the stock becomes available again). */
  release(who: Actor, id: string, reason: string): Promise<ReservationView> {
    return this.grouped({
      who,
      id,
      allowed: ['active', 'committed'],
      next: 'released',
      movement: (a, status) => ({
        sku: a.sku,
        warehouseId: a.warehouse_id,
        kind: 'release',
        delta: status === 'committed' ? { committed: -a.quantity } : { reserved: -a.quantity },
        reservationId: id,
        reason,
      }),
    });
  }

  /** Sweeps expired holds (any instance may run it; SKIP LOCKED shares the work). Returns how many. */
  async expireDue(limit = 200): Promise<number> {
    let changed: Level[] = [];
    const count = await this.core.db.transaction(async (trx) => {
      const due = await trx.raw<{ rows: Array<{ id: string }> }>(
        `select id from reservations where status = 'active' and expires_at <= now() order by expires_at limit ? for update skip locked`,
        [limit],
      );
      const ids = due.rows.map((r) => r.id);
      if (!ids.length) return 0;
      const allocations = (await trx('reservation_allocations').whereIn('reservation_id', ids)) as AllocationRow[];
      const changes = new ChangeSet(await lockLevels(trx, allocations.map((a) => ({ sku: a.sku, warehouseId: a.warehouse_id })), false));
      for (const id of ids) {
        changes.apply(
          allocations
            .filter((a) => a.reservation_id === id)
            .map((a): Movement => ({ sku: a.sku, warehouseId: a.warehouse_id, kind: 'expire', delta: { reserved: -a.quantity }, reservationId: id, reason: 'hold expired' })),
          metaFor(SYSTEM),
        );
      }
      await closeReservations(trx, ids, 'expired');
      const finished = changes.finish();
      await persistChanges(trx, finished);
      changed = finished.levels;
      return ids.length;
    });
    if (changed.length) this.core.onCommitted(changed);
    return count;
  }
}
