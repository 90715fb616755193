import { randomUUID } from 'node:crypto';
import { problems, type Knex } from '@shop/kit';
import { ChangeSet } from '../domain/changes';
import { unallocatedOf, type Movement } from '../domain/stock';
import { lockLevels } from '../store/levels';
import { metaFor, mutate, requireWarehouses, type Actor, type Core } from './core';

export interface TransferLineView {
  sku: string;
  quantity: number;
  receivedQuantity: number | null;
}

export interface TransferView {
  id: string;
  fromWarehouseId: string;
  toWarehouseId: string;
  status: 'in_transit' | 'received' | 'cancelled';
  reference: string | null;
  createdBy: string;
  createdAt: string;
  closedAt: string | null;
  lines: TransferLineView[];
}

interface TransferRow {
  id: string;
  from_warehouse: string;
  to_warehouse: string;
  status: TransferView['status'];
  reference: string | null;
  created_by: string;
  created_at: Date;
  closed_at: Date | null;
}

export async function getTransfer(db: Knex | Knex.Transaction, id: string, lock = false): Promise<TransferView | null> {
  const query = db<TransferRow>('transfers').where({ id }).first();
  const row = (await (lock ? query.forUpdate() : query)) as TransferRow | undefined;
  if (!row) return null;
  const lines = await db('transfer_lines').where({ transfer_id: id }).orderBy('sku');
  return {
    id: row.id,
    fromWarehouseId: row.from_warehouse,
    toWarehouseId: row.to_warehouse,
    status: row.status,
    reference: row.reference,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
    lines: lines.map((l: { sku: string; quantity: number; received_quantity: number | null }) => ({
      sku: l.sku,
      quantity: l.quantity,
      receivedQuantity: l.received_quantity,
    })),
  };
}

export interface ShipInput {
  fromWarehouseId: string;
  toWarehouseId: string;
  lines: Array<{ sku: string; quantity: number }>;
  reference?: string | undefined;
}

/** Ships stock: it leaves the source's on hand and shows as incoming at the destination. */
export function shipTransfer(core: Core, who: Actor, input: ShipInput): Promise<TransferView> {
  if (input.fromWarehouseId === input.toWarehouseId) {
    throw problems.validation([{ field: 'body.toWarehouseId', message: 'must differ from body.fromWarehouseId' }]);
  }
  const skus = [...new Set(input.lines.map((l) => l.sku))];
  if (skus.length !== input.lines.length) throw problems.validation([{ field: 'body.lines', message: 'each SKU may appear once' }]);
  const id = randomUUID();
  const meta = metaFor(who);
  return mutate(core, async (trx) => {
    await requireWarehouses(trx, [input.fromWarehouseId, input.toWarehouseId]);
    const keys = skus.flatMap((sku) => [
      { sku, warehouseId: input.fromWarehouseId },
      { sku, warehouseId: input.toWarehouseId },
    ]);
    const changes = new ChangeSet(await lockLevels(trx, keys, true));
    for (const line of input.lines) {
      const free = unallocatedOf(changes.level(line.sku, input.fromWarehouseId));
      if (free < line.quantity) {
        throw problems.conflict('insufficient-stock', 'Not enough stock', `${line.sku} at ${input.fromWarehouseId}: ${free} unallocated, ${line.quantity} requested`, {
          sku: line.sku,
          warehouseId: input.fromWarehouseId,
        });
      }
    }
    const movements: Movement[] = input.lines.flatMap((l) => [
      { sku: l.sku, warehouseId: input.fromWarehouseId, kind: 'transfer_ship', delta: { onHand: -l.quantity }, transferId: id, reference: input.reference ?? null, reason: `to ${input.toWarehouseId}` },
      { sku: l.sku, warehouseId: input.toWarehouseId, kind: 'transfer_ship', delta: { incoming: l.quantity }, transferId: id, reference: input.reference ?? null, reason: `from ${input.fromWarehouseId}` },
    ]);
    changes.apply(movements, meta);
    await trx('transfers').insert({ id, from_warehouse: input.fromWarehouseId, to_warehouse: input.toWarehouseId, status: 'in_transit', reference: input.reference ?? null, created_by: who.actor });
    await trx('transfer_lines').insert(input.lines.map((l) => ({ transfer_id: id, sku: l.sku, quantity: l.quantity })));
    return { changes, result: (await getTransfer(trx, id))! };
  });
}

async function lockOpenTransfer(trx: Knex.Transaction, id: string): Promise<TransferView> {
  const transfer = await getTransfer(trx, id, true);
  if (!transfer) throw problems.notFound(`Transfer ${id}`);
  if (transfer.status !== 'in_transit') {
    throw problems.conflict('transfer-closed', 'Transfer is closed', `Transfer ${id} is already ${transfer.status}`);
  }
  return transfer;
}

export interface ReceiveTransferInput {
  /** Received quantities per SKU; omitted lines count as fully received. Shortfalls are written off. */
  lines?: Array<{ sku: string; receivedQuantity: number }> | undefined;
}

export function receiveTransfer(core: Core, who: Actor, id: string, input: ReceiveTransferInput): Promise<TransferView> {
  const meta = metaFor(who);
  return mutate(core, async (trx) => {
    const transfer = await lockOpenTransfer(trx, id);
    const received = new Map((input.lines ?? []).map((l) => [l.sku, l.receivedQuantity]));
    for (const [sku, qty] of received) {
      const line = transfer.lines.find((l) => l.sku === sku);
      if (!line) throw problems.validation([{ field: 'body.lines', message: `${sku} is not on transfer ${id}` }]);
      if (qty > line.quantity) throw problems.validation([{ field: 'body.lines', message: `${sku}: received ${qty} is more than the ${line.quantity} shipped` }]);
    }
    const to = transfer.toWarehouseId;
    const changes = new ChangeSet(await lockLevels(trx, transfer.lines.map((l) => ({ sku: l.sku, warehouseId: to })), true));
    const movements: Movement[] = transfer.lines.map((l) => {
      const got = received.get(l.sku) ?? l.quantity;
      return {
        sku: l.sku,
        warehouseId: to,
        kind: 'transfer_receive',
        delta: { incoming: -l.quantity, onHand: got },
        transferId: id,
        reference: transfer.reference,
        reason: got < l.quantity ? `short by ${l.quantity - got}` : 'received in full',
      };
    });
    changes.apply(movements, meta);
    for (const l of transfer.lines) {
      await trx('transfer_lines').where({ transfer_id: id, sku: l.sku }).update({ received_quantity: received.get(l.sku) ?? l.quantity });
    }
    await trx('transfers').where({ id }).update({ status: 'received', closed_at: trx.fn.now() });
    return { changes, result: (await getTransfer(trx, id))! };
  });
}

/** Cancels a transfer still in transit: the stock goes back to the source. */
export function cancelTransfer(core: Core, who: Actor, id: string): Promise<TransferView> {
  const meta = metaFor(who);
  return mutate(core, async (trx) => {
    const transfer = await lockOpenTransfer(trx, id);
    const keys = transfer.lines.flatMap((l) => [
      { sku: l.sku, warehouseId: transfer.fromWarehouseId },
      { sku: l.sku, warehouseId: transfer.toWarehouseId },
    ]);
    const changes = new ChangeSet(await lockLevels(trx, keys, true));
    changes.apply(
      transfer.lines.flatMap((l): Movement[] => [
        { sku: l.sku, warehouseId: transfer.toWarehouseId, kind: 'transfer_cancel', delta: { incoming: -l.quantity }, transferId: id, reason: 'cancelled' },
        { sku: l.sku, warehouseId: transfer.fromWarehouseId, kind: 'transfer_cancel', delta: { onHand: l.quantity }, transferId: id, reason: 'cancelled' },
      ]),
      meta,
    );
    await trx('transfers').where({ id }).update({ status: 'cancelled', closed_at: trx.fn.now() });
    return { changes, result: (await getTransfer(trx, id))! };
  });
}
