/**
 * The payment port. Every call names the payment by `paymentId` (the checkout id) and carries an
 * idempotency key, so a retried or recovered call never charges twice; every call takes a signal
 * so the caller bounds how long it waits.
 */
export interface CardDetails {
  number: string;
  expiry: string;
  cvc: string;
}

export interface PaymentCall {
  paymentId: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: string;
  signal: AbortSignal;
}

export interface AuthorizeCall extends PaymentCall {
  card: CardDetails;
}

export type AuthorizeResult = { status: 'authorized'; authorizationId: string } | { status: 'declined'; reason: string };

export interface PaymentProvider {
  readonly name: string;
  authorize(call: AuthorizeCall): Promise<AuthorizeResult>;
  /** Takes the authorized amount; rejects with PaymentRejectedError if the authorization is gone. */
  capture(call: PaymentCall): Promise<void>;
  /** Cancels an authorization; a payment never authorized (or already voided or declined) is fine. */
  void(call: PaymentCall): Promise<void>;
  /** Returns a captured amount; rejects with PaymentRejectedError if nothing was captured. */
  refund(call: PaymentCall): Promise<void>;
}

/** The provider answered and refused the operation; retrying will not help. */
export class PaymentRejectedError extends Error {
  constructor(readonly reason: string) {
    super(`payment provider refused: ${reason}`);
    this.name = 'PaymentRejectedError';
  }
}
