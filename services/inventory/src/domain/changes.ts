import { randomUUID } from 'node:crypto';
import { INVENTORY_SOURCE, TOPICS, type InventoryEventData } from '@shop/contracts';
import type { OutboxEvent } from '@shop/kit';
import type { LedgerEntry } from '../store/ledger';
import {
  applyMovement,
  emptyLevel,
  EVENT_OF_KIND,
  fullDelta,
  levelKey,
  lowStockTransition,
  snapshot,
  ZERO_DELTA,
  type Level,
  type Movement,
} from './stock';

export interface ChangeMeta {
  actor: string;
  idempotencyKey: string | null;
  movementId: string;
}

export interface FinishedChanges {
  levels: Level[];
  entries: LedgerEntry[];
  events: OutboxEvent<InventoryEventData>[];
}

/**
 * The in-memory working copy of locked stock rows for one transaction. Movements are applied
 * all-or-nothing per call; finish() yields the rows to write, the ledger entries and the events.
 */
export class ChangeSet {
  private readonly levels = new Map<string, Level>();
  private readonly entries: LedgerEntry[] = [];
  private readonly touched = new Set<string>();

  constructor(locked: Level[]) {
    for (const l of locked) this.levels.set(levelKey(l.sku, l.warehouseId), l);
  }

  level(sku: string, warehouseId: string): Level {
    return this.levels.get(levelKey(sku, warehouseId)) ?? emptyLevel(sku, warehouseId);
  }

  levelsOf(sku: string): Level[] {
    return [...this.levels.values()].filter((l) => l.sku === sku);
  }

  /** Applies the movements together; if any breaks a stock rule, none is applied and it throws. */
  apply(movements: Movement[], meta: ChangeMeta): void {
    const staged = new Map<string, Level>();
    const stagedEntries: LedgerEntry[] = [];
    for (const m of movements) {
      const key = levelKey(m.sku, m.warehouseId);
      const before = staged.get(key) ?? this.level(m.sku, m.warehouseId);
      const after = applyMovement(before, m);
      staged.set(key, after);
      stagedEntries.push({
        movementId: meta.movementId,
        sku: m.sku,
        warehouseId: m.warehouseId,
        kind: m.kind,
        reason: m.reason ?? null,
        reference: m.reference ?? null,
        reservationId: m.reservationId ?? null,
        transferId: m.transferId ?? null,
        actor: meta.actor,
        idempotencyKey: meta.idempotencyKey,
        delta: fullDelta(m.delta),
        before: snapshot(before),
        after: snapshot(after),
      });
    }
    for (const [key, level] of staged) {
      this.levels.set(key, level);
      this.touched.add(key);
    }
    this.entries.push(...stagedEntries);
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  finish(): FinishedChanges {
    const time = new Date().toISOString();
    const event = (entry: LedgerEntry, type: OutboxEvent['type'], level: Level): OutboxEvent<InventoryEventData> => ({
      id: randomUUID(),
      topic: TOPICS.inventory,
      type,
      source: INVENTORY_SOURCE,
      subject: entry.sku,
      time,
      orderingKey: entry.sku,
      data: {
        movementId: entry.movementId,
        warehouseId: entry.warehouseId,
        sku: entry.sku,
        delta: entry.delta,
        level: entry.after,
        reason: entry.reason,
        reference: entry.reference,
        reservationId: entry.reservationId,
        transferId: entry.transferId,
        actor: entry.actor,
        reorderPoint: level.reorderPoint,
      },
    });
    const events = this.entries.map((e) => event(e, EVENT_OF_KIND[e.kind], this.level(e.sku, e.warehouseId)));
    const levels: Level[] = [];
    for (const key of this.touched) {
      const level = this.levels.get(key)!;
      const transition = lowStockTransition(level);
      const final = transition ? { ...level, lowStock: transition === 'low_stock' } : level;
      this.levels.set(key, final);
      levels.push(final);
      if (transition) {
        const last = [...this.entries].reverse().find((e) => e.sku === level.sku && e.warehouseId === level.warehouseId)!;
        events.push(
          event({ ...last, delta: ZERO_DELTA, reason: transition, after: snapshot(final) }, transition === 'low_stock' ? 'inventory.low_stock' : 'inventory.low_stock_cleared', final),
        );
      }
    }
    return { levels, entries: this.entries, events };
  }
}
