import { randomUUID } from 'node:crypto';
import { problems, type Knex, type Logger } from '@shop/kit';
import { ChangeSet, type ChangeMeta } from '../domain/changes';
import { StockRuleViolation, type Level } from '../domain/stock';
import { persistChanges } from '../store/persist';

/** Who is acting and under which Idempotency-Key; carried into every ledger entry. */
export interface Actor {
  actor: string;
  idempotencyKey: string | null;
  /** When set, the change is applied at most once per key (CSV rows, retried commands). */
  operationKey?: string | undefined;
}

export class AlreadyApplied extends Error {
  constructor(readonly key: string) {
    super(`operation ${key} was applied before`);
  }
}

export interface Core {
  db: Knex;
  logger: Logger;
  /** Called after a transaction commits with the rows it changed (live stream fan-out). */
  onCommitted(levels: Level[]): void;
}

export const metaFor = (who: Actor): ChangeMeta => ({ actor: who.actor, idempotencyKey: who.idempotencyKey, movementId: randomUUID() });

const PG_CHECK_VIOLATION = '23514';

/** Turns stock-rule breaches, whether caught by the domain or by a CHECK constraint, into 409s. */
export function asStockProblem(err: unknown): unknown {
  if (err instanceof StockRuleViolation) {
    return problems.conflict('insufficient-stock', 'Not enough stock', err.message, { sku: err.sku, warehouseId: err.warehouseId });
  }
  if ((err as { code?: string })?.code === PG_CHECK_VIOLATION) {
    return problems.conflict('insufficient-stock', 'Not enough stock', 'The change would take stock below what is held or promised');
  }
  return err;
}

/**
 * Runs one stock-changing transaction: `work` locks rows and fills a ChangeSet; its rows,
 * ledger entries and events are written in the same transaction, then subscribers hear of it.
 */
export async function mutate<T>(
  core: Core,
  work: (trx: Knex.Transaction) => Promise<{ changes: ChangeSet; result: T }>,
  operationKey?: string,
): Promise<T> {
  let changed: Level[] = [];
  try {
    const result = await core.db.transaction(async (trx) => {
      if (operationKey) {
        const inserted = await trx.raw<{ rowCount: number }>('insert into applied_operations (key) values (?) on conflict do nothing', [operationKey]);
        if (inserted.rowCount === 0) throw new AlreadyApplied(operationKey);
      }
      const { changes, result } = await work(trx);
      const finished = changes.finish();
      await persistChanges(trx, finished);
      changed = finished.levels;
      return result;
    });
    if (changed.length) core.onCommitted(changed);
    return result;
  } catch (err) {
    throw asStockProblem(err);
  }
}

export async function requireWarehouses(trx: Knex | Knex.Transaction, ids: string[]): Promise<void> {
  const unique = [...new Set(ids)];
  const rows = await trx('warehouses').select('id', 'active').whereIn('id', unique);
  const found = new Map(rows.map((r: { id: string; active: boolean }) => [r.id, r.active]));
  for (const id of unique) {
    if (!found.has(id)) throw problems.notFound(`Warehouse ${id}`);
    if (!found.get(id)) throw problems.conflict('warehouse-inactive', 'Warehouse is not active', `Warehouse ${id} is not active`);
  }
}

