import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { CheckoutBody, OrderView } from '@shop/contracts';
import { canonicalJson, HttpProblem, problems, ServiceCallError, writeOutbox, type Knex, type Logger, type ProblemBody } from '@shop/kit';
import { isTransient, type InventoryClient, type ReleaseReason, type Reservation } from '../clients/inventory';
import type { CatalogPrices } from '../clients/catalog';
import { summarizeCard } from '../domain/cards';
import { orderNumberFrom } from '../domain/order-number';
import { priceCart, type PricingRefusal } from '../domain/pricing';
import { PaymentTimeout, withDeadline } from '../payments/deadline';
import { PaymentRejectedError, type CardDetails, type PaymentProvider } from '../payments/provider';
import type { OrdersSettings } from '../settings';
import { removeSkusFromCart } from '../store/carts';
import {
  advanceCheckout,
  claimCheckoutToUndo,
  deferCheckout,
  findCheckout,
  insertCheckout,
  type CheckoutPatch,
  type CheckoutPlan,
  type CheckoutRecord,
} from '../store/checkouts';
import { findOrder, insertOrder, updateOrder, type OrderRecord } from '../store/orders';
import type { CartViews } from './cart-views';
import type { Carts } from './carts';
import { moveOrder, orderEvent, orderView } from './order-records';

export interface CheckoutDeps {
  db: Knex;
  logger: Logger;
  carts: Carts;
  views: CartViews;
  catalog: CatalogPrices;
  inventory: InventoryClient;
  payments: PaymentProvider;
  settings: OrdersSettings;
}

/** What a submit is answered; repeats of a checkout get the same status and body. */
export type CheckoutReply = {
  status: number;
  /** True when this submit found the checkout started by an earlier one. */
  repeated: boolean;
} & ({ order: OrderView } | { problem: ProblemBody });

export interface CheckoutState {
  checkoutId: string;
  status: CheckoutRecord['status'];
  order: OrderView | null;
  problem: ProblemBody | null;
}

/** A step could not finish for a passing reason (a dependency down); the sweeper retries it. */
class StepDeferred extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'StepDeferred';
  }
}

/** Another instance took the checkout over; this one stops driving it. */
class LeaseLost extends Error {}

/** Why a checkout was undone: the order's reason, the hold's release reason and the shopper's answer. */
interface Undo {
  reason: string;
  release: ReleaseReason;
  problem: HttpProblem;
}

const NOTHING_CHARGED = 'Nothing was charged.';

const UNDO = {
  declined: (): Undo => ({
    reason: 'payment_declined',
    release: 'payment_failed',
    problem: new HttpProblem(402, 'payment-declined', 'Payment declined', `The card was declined. ${NOTHING_CHARGED} Try another card.`),
  }),
  timeout: (ms: number): Undo => ({
    reason: 'payment_timeout',
    release: 'payment_failed',
    problem: new HttpProblem(504, 'payment-timeout', 'Payment could not be confirmed', `The payment provider did not answer within ${ms} ms; the authorization was voided and the order cancelled. ${NOTHING_CHARGED}`),
  }),
  providerDown: (): Undo => ({
    reason: 'payment_unavailable',
    release: 'payment_failed',
    problem: problems.unavailable('payment-unavailable', `The payment provider could not be reached; the order was cancelled. ${NOTHING_CHARGED}`),
  }),
  inventoryDown: (): Undo => ({
    reason: 'inventory_unavailable',
    release: 'cancelled',
    problem: problems.unavailable('inventory-unavailable', `Stock could not be reserved right now. ${NOTHING_CHARGED} Try again shortly.`),
  }),
  holdExpired: (): Undo => ({
    reason: 'hold_expired',
    release: 'cancelled',
    problem: problems.conflict('checkout-expired', 'Checkout expired', `The stock held for this checkout expired before the payment completed; the order was cancelled. ${NOTHING_CHARGED}`),
  }),
  captureRefused: (): Undo => ({
    reason: 'capture_refused',
    release: 'payment_failed',
    problem: new HttpProblem(402, 'payment-declined', 'Payment declined', `The payment provider refused to take the authorized amount. ${NOTHING_CHARGED}`),
  }),
  interrupted: (): Undo => ({
    reason: 'checkout_interrupted',
    release: 'cancelled',
    problem: problems.unavailable('checkout-interrupted', `The checkout was interrupted before the payment was confirmed; the order was cancelled and the stock released. ${NOTHING_CHARGED}`),
  }),
  cancelled: (reason: string): Undo => ({
    reason,
    release: 'order_cancelled',
    problem: problems.conflict('checkout-cancelled', 'Checkout cancelled', `The order was cancelled before its payment completed. ${NOTHING_CHARGED}`),
  }),
};

const POLL_MS = 50;
const ORDER_NUMBER_ATTEMPTS = 5;
const MAX_RETRY_DELAY_SECONDS = 30;

function pricingProblem(refusal: PricingRefusal): HttpProblem {
  switch (refusal.kind) {
    case 'empty':
      return problems.conflict('cart-empty', 'Cart is empty', 'There is nothing to check out');
    case 'unsellable':
      return problems.conflict('cart-unavailable', 'Items can no longer be bought', `Not on sale any more: ${refusal.skus.join(', ')}`, { skus: refusal.skus });
    case 'mixed-currencies':
      return problems.conflict('currency-mismatch', 'Prices are in several currencies', `The cart's prices are now in ${refusal.currencies.join(', ')}`, { currencies: refusal.currencies });
    case 'prices-changed':
      return problems.conflict('prices-changed', 'Prices changed', `Prices changed since the cart was last updated: ${refusal.changes.map((c) => `${c.sku} ${c.before} → ${c.after}`).join(', ')}; the cart shows the new prices`, {
        changes: refusal.changes,
      });
    case 'too-large':
      return problems.unprocessable('order-too-large', 'Order total is too large', 'The order total exceeds what one payment may take');
  }
}

export const cardOf = (body: CheckoutBody): CardDetails => ({ number: body.payment.cardNumber, expiry: body.payment.expiry, cvc: body.payment.cvc });

/** Hash of what a submit asks for, card excluded, so a checkout id reused for something else is refused. */
const fingerprintOf = (body: CheckoutBody): string =>
  createHash('sha256').update(canonicalJson({ cartId: body.cartId, shopperId: body.shopperId, email: body.email, shipping: body.shipping })).digest('hex');

/**
 * The checkout saga: reserve stock → create the order (pending_payment) → authorize → commit the
 * hold → capture → paid. Progress is recorded in Postgres after every step under a lease, so any
 * instance's recovery sweeper can finish or undo a checkout whose instance stopped. The reservation
 * and every payment call carry an idempotency key derived from the checkout id; commits and releases
 * are safe to repeat by the reservation's own state, so finishing and undoing can run again.
 */
export class CheckoutSaga {
  constructor(private readonly deps: CheckoutDeps) {}

  /** Handles a submit; a repeat of a checkout id (any instance, any time) gets that checkout's answer. */
  async submit(body: CheckoutBody): Promise<CheckoutReply> {
    const started = await this.begin(body);
    if (!started.owned) return this.replyTo(started.record, body, true);
    return this.replyTo(await this.drive(started.record, cardOf(body)), body, false);
  }

  /**
   * Validates and prices the cart and records the checkout, owned by the caller. The unique
   * checkout id decides which submit runs the saga: the others find the existing record.
   */
  async begin(body: CheckoutBody): Promise<{ owned: boolean; record: CheckoutRecord }> {
    const existing = await findCheckout(this.deps.db, body.checkoutId);
    if (existing) return { owned: false, record: existing };
    const plan = await this.plan(body);
    const inserted = await insertCheckout(
      this.deps.db,
      { id: body.checkoutId, shopperId: body.shopperId, cartId: body.cartId, fingerprint: fingerprintOf(body), plan },
      this.deps.settings.leaseSeconds,
    );
    return inserted ? { owned: true, record: inserted } : { owned: false, record: (await findCheckout(this.deps.db, body.checkoutId))! };
  }

  async state(id: string, shopperId: string): Promise<CheckoutState> {
    const record = await findCheckout(this.deps.db, id);
    if (!record || record.shopperId !== shopperId) throw problems.notFound(`Checkout ${id}`);
    const order = record.orderId ? await findOrder(this.deps.db, record.orderId) : null;
    const problem = record.outcome && 'problem' in record.outcome ? record.outcome.problem : null;
    return { checkoutId: id, status: record.status, order: order ? orderView(order) : null, problem };
  }

  /**
   * Drives a checkout until it is done, another instance takes it over, or a step must wait for a
   * dependency (it is then handed to the sweeper). Without the card (recovery), a checkout whose
   * payment was not yet authorized is undone: the shopper's request is gone and nothing was
   * promised. One already authorized is finished: the shopper was promised the order.
   * Resolves to the checkout as this instance last saw it.
   */
  async drive(record: CheckoutRecord, card: CardDetails | null): Promise<CheckoutRecord> {
    let current: CheckoutRecord = record;
    while (current.step !== 'done') {
      try {
        current = await this.step(current, card);
      } catch (err) {
        if (err instanceof LeaseLost) return current;
        const delay = Math.min(MAX_RETRY_DELAY_SECONDS, 2 ** Math.min(current.attempts, 5));
        const log = err instanceof StepDeferred ? this.deps.logger.warn.bind(this.deps.logger) : this.deps.logger.error.bind(this.deps.logger);
        log({ err, checkoutId: current.id, step: current.step, retryInSeconds: delay }, 'checkout step will be retried by the recovery sweeper');
        await deferCheckout(this.deps.db, current, delay).catch((deferErr: unknown) => this.deps.logger.error({ err: deferErr, checkoutId: current.id }, 'checkout could not be deferred; its lease will run out'));
        return current;
      }
    }
    return current;
  }

  /** Undoes the checkout of a pending_payment order at the shopper's or staff's request. */
  async cancelPending(orderId: string, reason: string): Promise<void> {
    const claimed = await claimCheckoutToUndo(this.deps.db, orderId, this.deps.settings.leaseSeconds);
    if (!claimed) {
      throw problems.conflict('checkout-in-progress', 'Checkout in progress', 'The order is being paid for right now; cancel it once it is paid', { retryAfterSeconds: 1 });
    }
    const undoing = claimed.step === 'compensating' ? claimed : await this.beginUndo(claimed, UNDO.cancelled(reason), true);
    await this.drive(undoing, null);
  }

  /** Runs the checkout's current step once and records where it got to (drive loops over this). */
  step(record: CheckoutRecord, card: CardDetails | null): Promise<CheckoutRecord> {
    switch (record.step) {
      case 'reserving':
        return this.reserve(record, card !== null);
      case 'authorizing':
        return card ? this.authorize(record, card) : this.beginUndo(record, UNDO.interrupted(), true);
      case 'committing':
        return this.commit(record);
      case 'capturing':
        return this.capture(record);
      case 'compensating':
        return this.compensate(record);
      case 'done':
        return Promise.resolve(record);
    }
  }

  private async plan(body: CheckoutBody): Promise<CheckoutPlan> {
    const lines = await this.deps.carts.lines(body.cartId, body.shopperId);
    if (!lines.length) throw pricingProblem({ kind: 'empty' });
    const prices = await this.deps.catalog.prices(lines.map((l) => l.sku));
    const pricing = priceCart(lines, prices, { feeMinor: this.deps.settings.shippingFeeMinor, freeFromMinor: this.deps.settings.freeShippingFromMinor });
    if (!pricing.ok) {
      if (pricing.refusal.kind !== 'too-large') await this.deps.carts.reprice(body.cartId, body.shopperId, prices);
      throw pricingProblem(pricing.refusal);
    }
    const { order } = pricing;
    return {
      email: body.email,
      shipping: body.shipping,
      card: summarizeCard(body.payment.cardNumber),
      ...order,
      reserve: { reference: body.checkoutId, lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity })), ttlSeconds: this.deps.settings.holdSeconds },
    };
  }

  private async advance(record: CheckoutRecord, patch: CheckoutPatch, trx?: Knex.Transaction): Promise<CheckoutRecord> {
    const next = await advanceCheckout(trx ?? this.deps.db, record, patch, this.deps.settings.leaseSeconds);
    if (!next) throw new LeaseLost();
    return next;
  }

  /** Decides the checkout failed (the answer every submit gets) and moves it to compensation. */
  private async beginUndo(record: CheckoutRecord, undo: Undo, voidNeeded: boolean, declined = false): Promise<CheckoutRecord> {
    const decided: CheckoutPatch = record.status === 'running' ? { status: 'failed', outcomeStatus: undo.problem.status, outcome: { problem: undo.problem.toBody() } } : {};
    return this.deps.db.transaction(async (trx) => {
      if (declined && record.orderId) await updateOrder(trx, record.orderId, { paymentState: 'declined' });
      return this.advance(record, { ...decided, step: 'compensating', voidNeeded, compensationReason: undo.reason, releaseReason: undo.release }, trx);
    });
  }

  private async reserve(record: CheckoutRecord, live: boolean): Promise<CheckoutRecord> {
    let hold: Reservation;
    try {
      const outcome = await this.deps.inventory.reserve(record.id, record.plan.reserve);
      if (!outcome.ok) {
        const detail = outcome.shortages.map((s) => `${s.sku}: requested ${s.requested}, available ${s.available}`).join('; ');
        const problem = problems.conflict('sold-out', 'Sold out', `Not enough stock: ${detail}`, { shortages: outcome.shortages });
        return this.advance(record, { step: 'done', status: 'failed', outcomeStatus: 409, outcome: { problem: problem.toBody() } });
      }
      hold = outcome.reservation;
    } catch (err) {
      if (!live) throw new StepDeferred(`reservation could not be looked up: ${(err as Error).message}`);
      // Whether the hold was taken is unknown: compensation looks it up again and releases it.
      this.deps.logger.warn({ err, checkoutId: record.id }, 'reservation failed; undoing the checkout');
      return this.beginUndo(record, UNDO.inventoryDown(), false);
    }
    if (!live) {
      const undoing = await this.beginUndo(record, UNDO.interrupted(), false);
      return this.advance(undoing, { reservationId: hold.id });
    }
    return this.placeOrder(record, hold);
  }

  private placeOrder(record: CheckoutRecord, hold: Reservation): Promise<CheckoutRecord> {
    const { plan } = record;
    return this.deps.db.transaction(async (trx) => {
      let order: OrderRecord | null = null;
      for (let attempt = 0; !order && attempt < ORDER_NUMBER_ATTEMPTS; attempt++) {
        order = await insertOrder(trx, {
          id: randomUUID(),
          number: orderNumberFrom(randomBytes(16)),
          checkoutId: record.id,
          shopperId: record.shopperId,
          email: plan.email,
          currency: plan.currency,
          lines: plan.lines,
          subtotalMinor: plan.subtotalMinor,
          shippingMinor: plan.shippingMinor,
          totalMinor: plan.totalMinor,
          shipping: plan.shipping,
          paymentBrand: plan.card.brand,
          paymentLast4: plan.card.last4,
          reservationId: hold.id,
        });
      }
      if (!order) throw new Error(`no free order number after ${ORDER_NUMBER_ATTEMPTS} draws`);
      await writeOutbox(trx, [orderEvent(order)]);
      // From here an authorization may exist, so undoing must void it.
      return this.advance(record, { step: 'authorizing', reservationId: hold.id, orderId: order.id, voidNeeded: true }, trx);
    });
  }

  private async authorize(record: CheckoutRecord, card: CardDetails): Promise<CheckoutRecord> {
    const { plan } = record;
    const timeoutMs = this.deps.settings.paymentTimeoutMs;
    let result;
    try {
      result = await withDeadline(timeoutMs, (signal) =>
        this.deps.payments.authorize({ paymentId: record.id, idempotencyKey: record.id, amountMinor: plan.totalMinor, currency: plan.currency, card, signal }),
      );
    } catch (err) {
      // The authorization may have gone through; compensation voids it.
      if (err instanceof PaymentTimeout) return this.beginUndo(record, UNDO.timeout(timeoutMs), true);
      this.deps.logger.warn({ err, checkoutId: record.id }, 'payment provider failed');
      return this.beginUndo(record, UNDO.providerDown(), true);
    }
    if (result.status === 'declined') {
      this.deps.logger.info({ checkoutId: record.id, reason: result.reason }, 'payment declined');
      return this.beginUndo(record, UNDO.declined(), false, true);
    }
    // The order's payment stays pending until it is captured a moment later (or voided).
    return this.advance(record, { step: 'committing', authorizationId: result.authorizationId });
  }

  private async commit(record: CheckoutRecord): Promise<CheckoutRecord> {
    let outcome;
    try {
      outcome = await this.deps.inventory.commit(record.reservationId!);
    } catch (err) {
      throw new StepDeferred(`hold could not be committed: ${(err as Error).message}`);
    }
    if (!outcome.ok) return this.beginUndo(record, UNDO.holdExpired(), true);
    return this.advance(record, { step: 'capturing' });
  }

  private async capture(record: CheckoutRecord): Promise<CheckoutRecord> {
    const { plan } = record;
    try {
      await withDeadline(this.deps.settings.paymentTimeoutMs, (signal) =>
        this.deps.payments.capture({ paymentId: record.id, idempotencyKey: `${record.id}:capture`, amountMinor: plan.totalMinor, currency: plan.currency, signal }),
      );
    } catch (err) {
      if (err instanceof PaymentRejectedError) return this.beginUndo(record, UNDO.captureRefused(), true);
      throw new StepDeferred(`payment could not be captured: ${(err as Error).message}`);
    }
    const { done, emptied } = await this.deps.db.transaction(async (trx) => {
      const order = (await findOrder(trx, record.orderId!, true))!;
      await moveOrder(trx, order, 'pay', null);
      const cart = await removeSkusFromCart(trx, record.cartId, plan.lines.map((l) => l.sku));
      return { done: await this.advance(record, { step: 'done', status: 'succeeded', outcomeStatus: 201, outcome: { orderId: order.id } }, trx), emptied: cart };
    });
    if (emptied) await this.deps.views.drop([emptied]);
    return done;
  }

  private async compensate(record: CheckoutRecord): Promise<CheckoutRecord> {
    const reason = record.compensationReason ?? UNDO.interrupted().reason;
    const release = record.releaseReason ?? 'cancelled';
    const { plan } = record;
    if (record.voidNeeded) {
      try {
        await withDeadline(this.deps.settings.paymentTimeoutMs, (signal) =>
          this.deps.payments.void({ paymentId: record.id, idempotencyKey: `${record.id}:void`, amountMinor: plan.totalMinor, currency: plan.currency, signal }),
        );
      } catch (err) {
        throw new StepDeferred(`authorization could not be voided: ${(err as Error).message}`);
      }
    }
    const holdId = record.reservationId ?? (await this.lookUpHold(record));
    if (holdId) {
      let released;
      try {
        released = await this.deps.inventory.release(holdId, release);
      } catch (err) {
        throw new StepDeferred(`hold could not be released: ${(err as Error).message}`);
      }
      if (!released.ok) this.deps.logger.error({ checkoutId: record.id, reservationId: holdId, reservationStatus: released.status }, 'hold of an undone checkout cannot be released');
    }
    return this.deps.db.transaction(async (trx) => {
      const order = record.orderId ? await findOrder(trx, record.orderId, true) : null;
      if (order?.status === 'pending_payment') await moveOrder(trx, order, 'cancel', reason);
      return this.advance(record, { step: 'done', ...(holdId ? { reservationId: holdId } : {}) }, trx);
    });
  }

  /**
   * Finds the hold of a checkout whose reservation answer was lost, by repeating the request with
   * its Idempotency-Key: inventory replays the answer (or takes the hold now, which is then released).
   */
  private async lookUpHold(record: CheckoutRecord): Promise<string | null> {
    try {
      const outcome = await this.deps.inventory.reserve(record.id, record.plan.reserve);
      return outcome.ok ? outcome.reservation.id : null;
    } catch (err) {
      if (err instanceof ServiceCallError && !isTransient(err)) return null;
      throw new StepDeferred(`reservation could not be looked up: ${(err as Error).message}`);
    }
  }

  /** Waits for the checkout's outcome (another submit or instance may be driving it) and answers with it. */
  private async replyTo(record: CheckoutRecord, body: CheckoutBody, repeated: boolean): Promise<CheckoutReply> {
    if (record.shopperId !== body.shopperId) throw problems.notFound(`Checkout ${body.checkoutId}`);
    if (record.fingerprint !== fingerprintOf(body)) {
      throw problems.unprocessable('checkout-id-reused', 'Checkout id was used for another checkout', 'This checkoutId was submitted with another cart, shopper, email or address; mint a new one per checkout page');
    }
    const deadline = Date.now() + this.deps.settings.waitMs;
    let current: CheckoutRecord | null = record;
    while (current && current.status === 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, POLL_MS));
      current = await findCheckout(this.deps.db, record.id);
    }
    if (!current || current.status === 'running' || !current.outcome) {
      throw new HttpProblem(503, 'checkout-pending', 'Checkout still in progress', 'The checkout is still being completed; submit it again (same checkoutId) or read GET /v1/checkouts/{id} shortly', { retryAfterSeconds: 2 });
    }
    if ('problem' in current.outcome) return { status: current.outcomeStatus!, problem: current.outcome.problem, repeated };
    const order = await findOrder(this.deps.db, current.outcome.orderId);
    return { status: current.outcomeStatus!, order: orderView(order!), repeated };
  }
}
