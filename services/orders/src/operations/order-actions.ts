import { HttpProblem, problems, type Knex, type Logger } from '@shop/kit';
import type { InventoryClient } from '../clients/inventory';
import { effectsOf, IllegalTransition, transition, type StaffAction } from '../domain/order-states';
import { withDeadline } from '../payments/deadline';
import { PaymentRejectedError, type PaymentProvider } from '../payments/provider';
import type { OrdersSettings } from '../settings';
import { findOrder, toRecord, updateOrder, type OrderRecord } from '../store/orders';
import type { CheckoutSaga } from './checkout';
import { moveOrder } from './order-records';

export interface OrderActionsDeps {
  db: Knex;
  logger: Logger;
  inventory: InventoryClient;
  payments: PaymentProvider;
  saga: CheckoutSaga;
  settings: OrdersSettings;
}

export interface ActionResult {
  order: OrderRecord;
  /** False when an outside call must be retried: the change is recorded and the sweeper completes it. */
  done: boolean;
}

const illegal = (err: IllegalTransition): HttpProblem =>
  problems.conflict('illegal-transition', 'Not possible in this state', err.message, { status: err.from, action: err.action });

/** A passing failure: the action stays pending and is retried. */
class ActionDeferred extends Error {}

const RETRY_SECONDS = 2;
const UNDER_WAY: Record<StaffAction, string> = { cancel: 'cancelled', refund: 'refunded', fulfil: 'fulfilled' };

/**
 * Cancel, refund and fulfil. The intent is recorded on the order first (pending_action, under a
 * lease), then inventory and the payment provider are called with idempotency keys derived from
 * the order id, then the status moves through the transition table with its event. An instance
 * that stops in between leaves the intent for the recovery sweeper, which repeats the calls.
 */
export class OrderActions {
  constructor(private readonly deps: OrderActionsDeps) {}

  /** `shopperId` limits the change to that shopper's order (a shopper acting through the storefront). */
  async act(orderId: string, action: StaffAction, reason: string | null, shopperId: string | null): Promise<ActionResult> {
    const claimed = await this.deps.db.transaction(async (trx) => {
      const order = await findOrder(trx, orderId, true);
      if (!order || (shopperId !== null && order.shopperId !== shopperId)) throw problems.notFound(`Order ${orderId}`);
      if (order.pendingAction) {
        const expired = await trx.raw<{ rows: unknown[] }>('select 1 from orders where id = ? and action_lease_until <= now()', [orderId]);
        if (order.pendingAction !== action || !expired.rows.length) {
          throw problems.conflict('order-busy', 'Order is being changed', `The order is being ${UNDER_WAY[order.pendingAction]}; try again shortly`, { retryAfterSeconds: RETRY_SECONDS });
        }
      }
      try {
        transition(order.status, action);
      } catch (err) {
        if (err instanceof IllegalTransition) throw illegal(err);
        throw err;
      }
      if (order.status === 'pending_payment') return { order, viaCheckout: true };
      return { order: await updateOrder(trx, orderId, { pendingAction: action, pendingReason: reason, actionLeaseSeconds: this.deps.settings.leaseSeconds }), viaCheckout: false };
    });
    if (claimed.viaCheckout) {
      // Only a cancel leads out of pending_payment; the checkout undoes itself (void, release, cancel).
      await this.deps.saga.cancelPending(orderId, reason ?? 'cancelled');
      const order = (await findOrder(this.deps.db, orderId))!;
      return { order, done: order.status !== 'pending_payment' };
    }
    return this.complete(claimed.order);
  }

  /** Takes over actions whose instance stopped or deferred them, and completes them. */
  async sweep(limit: number): Promise<number> {
    const result = await this.deps.db.raw<{ rows: Parameters<typeof toRecord>[0][] }>(
      `update orders o
          set action_lease_until = now() + make_interval(secs => ?)
        where o.id in (
          select id from orders
           where pending_action is not null and action_lease_until <= now()
           order by action_lease_until
           limit ?
           for update skip locked)
        returning o.*`,
      [this.deps.settings.leaseSeconds, limit],
    );
    const orders = result.rows.map(toRecord);
    await Promise.all(orders.map((o) => this.complete(o).catch((err: unknown) => this.deps.logger.error({ err, orderId: o.id }, 'pending order action failed'))));
    return orders.length;
  }

  private async complete(order: OrderRecord): Promise<ActionResult> {
    const action = order.pendingAction!;
    try {
      await this.effects(order, action);
    } catch (err) {
      if (err instanceof ActionDeferred) {
        this.deps.logger.warn({ err, orderId: order.id, action }, 'order action will be retried by the recovery sweeper');
        await this.deps.db('orders').where({ id: order.id }).update({ action_lease_until: this.deps.db.raw('now() + make_interval(secs => ?)', [RETRY_SECONDS]) });
        return { order, done: false };
      }
      // A refusal from outside ends the attempt; the order stays as it was.
      await this.deps.db.transaction((trx) => updateOrder(trx, order.id, { pendingAction: null, pendingReason: null, actionLeaseSeconds: null }));
      throw err;
    }
    const moved = await this.deps.db.transaction(async (trx) => {
      const locked = (await findOrder(trx, order.id, true))!;
      return moveOrder(trx, locked, action, order.pendingReason, { pendingAction: null, pendingReason: null, actionLeaseSeconds: null });
    });
    return { order: moved, done: true };
  }

  /** Stock first, money second: a refund is never paid out for goods that turn out to have shipped. */
  private async effects(order: OrderRecord, action: StaffAction): Promise<void> {
    const effects = effectsOf(order.status, action);
    const { inventory, payments } = this.deps;
    if (effects.releaseStock) {
      const released = await deferOnFailure(() => inventory.release(order.reservationId, 'order_cancelled'));
      if (!released.ok) throw problems.conflict('stock-not-releasable', 'Stock cannot be put back', `The order's reservation is ${released.status} in inventory`);
    }
    if (effects.fulfilStock) {
      const fulfilled = await deferOnFailure(() => inventory.fulfil(order.reservationId));
      if (!fulfilled.ok) throw problems.conflict('not-fulfillable', 'Order cannot be fulfilled', `The order's reservation is ${fulfilled.status} in inventory`);
    }
    if (effects.refundPayment) {
      const call = { paymentId: order.checkoutId, idempotencyKey: `${order.id}:refund`, amountMinor: order.totalMinor, currency: order.currency };
      try {
        await deferOnFailure(() => withDeadline(this.deps.settings.paymentTimeoutMs, (signal) => payments.refund({ ...call, signal })), PaymentRejectedError);
      } catch (err) {
        if (err instanceof PaymentRejectedError) throw new HttpProblem(502, 'refund-refused', 'Refund refused', `The payment provider refused the refund: ${err.reason}`);
        throw err;
      }
    }
  }
}

/** Turns any failure but the given answers into a deferral. */
async function deferOnFailure<T>(call: () => Promise<T>, ...answers: Array<new (...args: never[]) => Error>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (answers.some((a) => err instanceof a)) throw err;
    throw new ActionDeferred((err as Error).message);
  }
}
