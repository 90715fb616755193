import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@shop/contracts';
import { cardExpired } from '../domain/cards';
import { PaymentRejectedError, type AuthorizeCall, type AuthorizeResult, type PaymentCall, type PaymentProvider } from './provider';

export type TestPaymentState = 'authorized' | 'declined' | 'captured' | 'voided' | 'refunded';

export interface TestPayment {
  paymentId: string;
  state: TestPaymentState;
  amountMinor: number;
  currency: string;
  authorizationId: string | null;
}

/** Entries kept per map; the oldest are forgotten first, so a long local run stays bounded. */
const MAX_ENTRIES = 100_000;

const remember = <K, V>(map: Map<K, V>, key: K, value: V): void => {
  if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as K);
  map.set(key, value);
};

const abortedError = (signal: AbortSignal): Error => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));

/** Waits for the caller to give up: the provider that never answers. */
const never = (signal: AbortSignal): Promise<never> =>
  new Promise((_resolve, reject) => {
    if (signal.aborted) reject(abortedError(signal));
    else signal.addEventListener('abort', () => reject(abortedError(signal)), { once: true });
  });

/**
 * The built-in provider of the TEST_CARDS: approved, declined, and one that takes the authorization
 * and then never answers (as a provider that timed out after charging might). Other numbers and
 * expired cards are declined. It keeps payments in memory and never moves money.
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';
  private readonly payments = new Map<string, TestPayment>();
  private readonly answered = new Map<string, Promise<unknown>>();

  /** The provider's record of a payment, as its dashboard would show it. */
  payment(paymentId: string): TestPayment | undefined {
    const found = this.payments.get(paymentId);
    return found ? { ...found } : undefined;
  }

  authorize(call: AuthorizeCall): Promise<AuthorizeResult> {
    if (call.card.number === TEST_CARDS.timeout) {
      this.record(call, 'authorized');
      return never(call.signal);
    }
    return this.once(call.idempotencyKey, async (): Promise<AuthorizeResult> => {
      if (cardExpired(call.card.expiry, new Date())) return this.decline(call, 'expired_card');
      if (call.card.number !== TEST_CARDS.approved) return this.decline(call, call.card.number === TEST_CARDS.declined ? 'card_declined' : 'unknown_card');
      return { status: 'authorized', authorizationId: this.record(call, 'authorized').authorizationId! };
    });
  }

  capture(call: PaymentCall): Promise<void> {
    return this.once(call.idempotencyKey, async () => {
      const payment = this.payments.get(call.paymentId);
      if (payment?.state === 'captured') return;
      if (payment?.state !== 'authorized') throw new PaymentRejectedError(`payment ${call.paymentId} is ${payment?.state ?? 'unknown'}, not authorized`);
      payment.state = 'captured';
    });
  }

  void(call: PaymentCall): Promise<void> {
    return this.once(call.idempotencyKey, async () => {
      const payment = this.payments.get(call.paymentId);
      if (!payment || payment.state !== 'authorized') {
        if (payment?.state === 'captured' || payment?.state === 'refunded') throw new PaymentRejectedError(`payment ${call.paymentId} was captured; refund it instead`);
        return;
      }
      payment.state = 'voided';
    });
  }

  refund(call: PaymentCall): Promise<void> {
    return this.once(call.idempotencyKey, async () => {
      const payment = this.payments.get(call.paymentId);
      if (payment?.state === 'refunded') return;
      if (payment?.state !== 'captured') throw new PaymentRejectedError(`payment ${call.paymentId} is ${payment?.state ?? 'unknown'}, not captured`);
      payment.state = 'refunded';
    });
  }

  /** The first call with a key decides the answer; repeats get the same one. */
  private once<T>(key: string, run: () => Promise<T>): Promise<T> {
    const previous = this.answered.get(key);
    if (previous) return previous as Promise<T>;
    const result = run();
    remember(this.answered, key, result);
    return result;
  }

  private record(call: AuthorizeCall, state: TestPaymentState): TestPayment {
    const payment: TestPayment = {
      paymentId: call.paymentId,
      state,
      amountMinor: call.amountMinor,
      currency: call.currency,
      authorizationId: state === 'authorized' ? `auth_${randomUUID()}` : null,
    };
    remember(this.payments, call.paymentId, payment);
    return payment;
  }

  private decline(call: AuthorizeCall, reason: string): AuthorizeResult {
    this.record(call, 'declined');
    return { status: 'declined', reason };
  }
}
