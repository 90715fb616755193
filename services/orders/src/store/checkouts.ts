import { randomUUID } from 'node:crypto';
import type { Address, OrderLine } from '@shop/contracts';
import type { Knex, ProblemBody } from '@shop/kit';
import type { ReleaseReason, ReserveRequest } from '../clients/inventory';
import type { CardSummary } from '../domain/cards';
import type { CheckoutStatus, CheckoutStep } from '../domain/checkout-steps';

/** Everything a checkout needs after the request is gone (no card number, no CVC). */
export interface CheckoutPlan {
  email: string;
  shipping: Address;
  card: CardSummary;
  currency: string;
  lines: OrderLine[];
  subtotalMinor: number;
  shippingMinor: number;
  totalMinor: number;
  reserve: ReserveRequest;
}

/** What every submit of the checkout is answered: an order (by id) or a problem. */
export type CheckoutOutcome = { orderId: string } | { problem: ProblemBody };

export interface CheckoutRecord {
  id: string;
  shopperId: string;
  cartId: string;
  fingerprint: string;
  step: CheckoutStep;
  status: CheckoutStatus;
  plan: CheckoutPlan;
  reservationId: string | null;
  orderId: string | null;
  authorizationId: string | null;
  voidNeeded: boolean;
  compensationReason: string | null;
  releaseReason: ReleaseReason | null;
  outcomeStatus: number | null;
  outcome: CheckoutOutcome | null;
  leaseToken: string;
  attempts: number;
}

interface CheckoutRow {
  id: string;
  shopper_id: string;
  cart_id: string;
  fingerprint: string;
  step: CheckoutStep;
  status: CheckoutStatus;
  plan: CheckoutPlan;
  reservation_id: string | null;
  order_id: string | null;
  authorization_id: string | null;
  void_needed: boolean;
  compensation_reason: string | null;
  release_reason: ReleaseReason | null;
  outcome_status: number | null;
  outcome: CheckoutOutcome | null;
  lease_token: string;
  attempts: number;
}

const toRecord = (r: CheckoutRow): CheckoutRecord => ({
  id: r.id,
  shopperId: r.shopper_id,
  cartId: r.cart_id,
  fingerprint: r.fingerprint,
  step: r.step,
  status: r.status,
  plan: r.plan,
  reservationId: r.reservation_id,
  orderId: r.order_id,
  authorizationId: r.authorization_id,
  voidNeeded: r.void_needed,
  compensationReason: r.compensation_reason,
  releaseReason: r.release_reason,
  outcomeStatus: r.outcome_status,
  outcome: r.outcome,
  leaseToken: r.lease_token,
  attempts: r.attempts,
});

const lease = (db: Knex | Knex.Transaction, seconds: number) => db.raw('now() + make_interval(secs => ?)', [seconds]);

/** Inserts the checkout owned by the caller; null if the checkout id exists (a double submit). */
export async function insertCheckout(
  db: Knex,
  checkout: Pick<CheckoutRecord, 'id' | 'shopperId' | 'cartId' | 'fingerprint' | 'plan'>,
  leaseSeconds: number,
): Promise<CheckoutRecord | null> {
  const rows = (await db('checkouts')
    .insert({
      id: checkout.id,
      shopper_id: checkout.shopperId,
      cart_id: checkout.cartId,
      fingerprint: checkout.fingerprint,
      plan: JSON.stringify(checkout.plan),
      step: 'reserving',
      status: 'running',
      lease_token: randomUUID(),
      lease_until: lease(db, leaseSeconds),
    })
    .onConflict('id')
    .ignore()
    .returning('*')) as CheckoutRow[];
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function findCheckout(db: Knex | Knex.Transaction, id: string): Promise<CheckoutRecord | null> {
  const row = (await db<CheckoutRow>('checkouts').where({ id }).first()) as CheckoutRow | undefined;
  return row ? toRecord(row) : null;
}

export interface CheckoutPatch {
  step?: CheckoutStep;
  status?: CheckoutStatus;
  reservationId?: string;
  orderId?: string;
  authorizationId?: string;
  voidNeeded?: boolean;
  compensationReason?: string;
  releaseReason?: ReleaseReason;
  outcomeStatus?: number;
  outcome?: CheckoutOutcome;
}

/**
 * Records progress if the caller still holds the lease, renewing it; null if another instance
 * took the checkout over (the caller then stops driving it).
 */
export async function advanceCheckout(trx: Knex | Knex.Transaction, record: CheckoutRecord, patch: CheckoutPatch, leaseSeconds: number): Promise<CheckoutRecord | null> {
  const columns: Record<string, unknown> = { updated_at: trx.fn.now(), lease_until: lease(trx, leaseSeconds) };
  if (patch.step !== undefined) columns.step = patch.step;
  if (patch.status !== undefined) columns.status = patch.status;
  if (patch.reservationId !== undefined) columns.reservation_id = patch.reservationId;
  if (patch.orderId !== undefined) columns.order_id = patch.orderId;
  if (patch.authorizationId !== undefined) columns.authorization_id = patch.authorizationId;
  if (patch.voidNeeded !== undefined) columns.void_needed = patch.voidNeeded;
  if (patch.compensationReason !== undefined) columns.compensation_reason = patch.compensationReason;
  if (patch.releaseReason !== undefined) columns.release_reason = patch.releaseReason;
  if (patch.outcomeStatus !== undefined) columns.outcome_status = patch.outcomeStatus;
  if (patch.outcome !== undefined) columns.outcome = JSON.stringify(patch.outcome);
  const rows = (await trx('checkouts').where({ id: record.id, lease_token: record.leaseToken }).update(columns).returning('*')) as CheckoutRow[];
  return rows[0] ? toRecord(rows[0]) : null;
}

/** Hands a checkout to the sweeper after a passing failure, to be retried in `seconds`. */
export async function deferCheckout(db: Knex, record: CheckoutRecord, seconds: number): Promise<void> {
  await db('checkouts').where({ id: record.id, lease_token: record.leaseToken }).update({ lease_until: lease(db, seconds), updated_at: db.fn.now() });
}

/** Takes over checkouts whose lease ran out (their instance stopped or gave up for now); replicas share them. */
export async function claimDueCheckouts(db: Knex, leaseSeconds: number, limit: number): Promise<CheckoutRecord[]> {
  const result = await db.raw<{ rows: CheckoutRow[] }>(
    `update checkouts c
        set lease_token = gen_random_uuid(), lease_until = now() + make_interval(secs => ?), attempts = c.attempts + 1, updated_at = now()
      where c.id in (
        select id from checkouts
         where step <> 'done' and lease_until <= now()
         order by lease_until
         limit ?
         for update skip locked)
      returning c.*`,
    [leaseSeconds, limit],
  );
  return result.rows.map(toRecord);
}

/** Takes over the checkout of an order if no instance is driving it and it may still be undone. */
export async function claimCheckoutToUndo(db: Knex, orderId: string, leaseSeconds: number): Promise<CheckoutRecord | null> {
  const result = await db.raw<{ rows: CheckoutRow[] }>(
    `update checkouts
        set lease_token = gen_random_uuid(), lease_until = now() + make_interval(secs => ?), updated_at = now()
      where order_id = ? and step in ('authorizing', 'committing', 'compensating') and lease_until <= now()
      returning *`,
    [leaseSeconds, orderId],
  );
  return result.rows[0] ? toRecord(result.rows[0]) : null;
}
