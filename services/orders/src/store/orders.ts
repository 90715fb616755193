import type { Address, OrderLine, OrderStatus } from '@shop/contracts';
import { problems, type Knex } from '@shop/kit';
import type { PaymentState, StaffAction } from '../domain/order-states';

export interface OrderRecord {
  id: string;
  number: string;
  checkoutId: string;
  shopperId: string;
  email: string;
  currency: string;
  lines: OrderLine[];
  subtotalMinor: number;
  shippingMinor: number;
  totalMinor: number;
  shipping: Address;
  status: OrderStatus;
  paymentState: PaymentState;
  paymentBrand: string;
  paymentLast4: string;
  reservationId: string;
  reason: string | null;
  pendingAction: StaffAction | null;
  pendingReason: string | null;
  placedAt: string;
  updatedAt: string;
}

interface OrderRow {
  id: string;
  number: string;
  checkout_id: string;
  shopper_id: string;
  email: string;
  currency: string;
  lines: OrderLine[];
  subtotal_minor: string;
  shipping_minor: string;
  total_minor: string;
  shipping_address: Address;
  status: OrderStatus;
  payment_state: PaymentState;
  payment_brand: string;
  payment_last4: string;
  reservation_id: string;
  reason: string | null;
  pending_action: StaffAction | null;
  pending_reason: string | null;
  placed_at: Date;
  updated_at: Date;
}

export const toRecord = (r: OrderRow): OrderRecord => ({
  id: r.id,
  number: r.number,
  checkoutId: r.checkout_id,
  shopperId: r.shopper_id,
  email: r.email,
  currency: r.currency,
  lines: r.lines,
  // bigint arrives as a string; amounts stay far below 2^53.
  subtotalMinor: Number(r.subtotal_minor),
  shippingMinor: Number(r.shipping_minor),
  totalMinor: Number(r.total_minor),
  shipping: r.shipping_address,
  status: r.status,
  paymentState: r.payment_state,
  paymentBrand: r.payment_brand,
  paymentLast4: r.payment_last4,
  reservationId: r.reservation_id,
  reason: r.reason,
  pendingAction: r.pending_action,
  pendingReason: r.pending_reason,
  placedAt: r.placed_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

export type NewOrder = Omit<OrderRecord, 'reason' | 'pendingAction' | 'pendingReason' | 'placedAt' | 'updatedAt' | 'status' | 'paymentState'>;

/** Inserts a pending_payment order; false if its number is taken (the caller draws another). */
export async function insertOrder(trx: Knex.Transaction, order: NewOrder): Promise<OrderRecord | null> {
  const rows = (await trx('orders')
    .insert({
      id: order.id,
      number: order.number,
      checkout_id: order.checkoutId,
      shopper_id: order.shopperId,
      email: order.email,
      currency: order.currency,
      lines: JSON.stringify(order.lines),
      subtotal_minor: order.subtotalMinor,
      shipping_minor: order.shippingMinor,
      total_minor: order.totalMinor,
      shipping_address: JSON.stringify(order.shipping),
      status: 'pending_payment',
      payment_state: 'pending',
      payment_brand: order.paymentBrand,
      payment_last4: order.paymentLast4,
      reservation_id: order.reservationId,
    })
    .onConflict('number')
    .ignore()
    .returning('*')) as OrderRow[];
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function findOrder(db: Knex | Knex.Transaction, id: string, lock = false): Promise<OrderRecord | null> {
  const query = db<OrderRow>('orders').where({ id }).first();
  const row = (await (lock ? query.forUpdate() : query)) as OrderRow | undefined;
  return row ? toRecord(row) : null;
}

export async function findOrderByNumber(db: Knex, number: string): Promise<OrderRecord | null> {
  const row = (await db<OrderRow>('orders').where({ number }).first()) as OrderRow | undefined;
  return row ? toRecord(row) : null;
}

export interface OrderPatch {
  status?: OrderStatus;
  paymentState?: PaymentState;
  reason?: string | null;
  pendingAction?: StaffAction | null;
  pendingReason?: string | null;
  /** Seconds from now the pending action is owned by its caller. */
  actionLeaseSeconds?: number | null;
}

export async function updateOrder(trx: Knex.Transaction, id: string, patch: OrderPatch): Promise<OrderRecord> {
  const columns: Record<string, unknown> = { updated_at: trx.fn.now() };
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.paymentState !== undefined) columns.payment_state = patch.paymentState;
  if (patch.reason !== undefined) columns.reason = patch.reason;
  if (patch.pendingAction !== undefined) columns.pending_action = patch.pendingAction;
  if (patch.pendingReason !== undefined) columns.pending_reason = patch.pendingReason;
  if (patch.actionLeaseSeconds !== undefined) {
    columns.action_lease_until = patch.actionLeaseSeconds === null ? null : trx.raw('now() + make_interval(secs => ?)', [patch.actionLeaseSeconds]);
  }
  const [row] = (await trx('orders').where({ id }).update(columns).returning('*')) as OrderRow[];
  return toRecord(row!);
}

export interface OrderListQuery {
  status?: OrderStatus | undefined;
  shopperId?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

interface Cursor {
  p: string;
  i: string;
}

const isCursor = (v: unknown): v is Cursor =>
  typeof v === 'object' && v !== null && typeof (v as Cursor).p === 'string' && typeof (v as Cursor).i === 'string' && !Number.isNaN(Date.parse((v as Cursor).p)) && /^[0-9a-f-]{36}$/.test((v as Cursor).i);

function decodeCursor(cursor: string): Cursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isCursor(value)) return value;
  } catch {
    // falls through to the validation problem
  }
  throw problems.validation([{ field: 'query.cursor', message: 'is not a cursor this API issued' }]);
}

/** Newest first, by (placed_at, id), so pages never skip or repeat an order. */
export async function listOrders(db: Knex, query: OrderListQuery): Promise<{ items: OrderRecord[]; nextCursor: string | null }> {
  const q = db<OrderRow>('orders').orderBy([{ column: 'placed_at', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(query.limit + 1);
  if (query.status) q.where('status', query.status);
  if (query.shopperId) q.where('shopper_id', query.shopperId);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    q.whereRaw('(placed_at, id) < (?::timestamptz, ?::uuid)', [after.p, after.i]);
  }
  const rows = (await q) as OrderRow[];
  const items = rows.slice(0, query.limit).map(toRecord);
  const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
  return { items, nextCursor: last ? Buffer.from(JSON.stringify({ p: last.placed_at.toISOString(), i: last.id })).toString('base64url') : null };
}
