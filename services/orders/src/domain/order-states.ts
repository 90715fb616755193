import type { OrderEventType, OrderStatus, PAYMENT_STATES } from '@shop/contracts';

/** The contract's payment states, plus `pending` while the provider has not answered the authorization. */
export type PaymentState = (typeof PAYMENT_STATES)[number] | 'pending';

/** What may happen to an order; each action leads from a state to exactly one next state. */
export const ORDER_ACTIONS = ['pay', 'cancel', 'fulfil', 'refund'] as const;
export type OrderAction = (typeof ORDER_ACTIONS)[number];
/** Changes staff or shoppers ask for; `pay` is the checkout's alone. */
export type StaffAction = Exclude<OrderAction, 'pay'>;

/**
 * The order lifecycle. `cancelled` means no money was taken; `refunded` means money was taken and
 * returned, so cancelling a paid order refunds it. Every status change goes through this table.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, Readonly<Partial<Record<OrderAction, OrderStatus>>>>> = {
  pending_payment: { pay: 'paid', cancel: 'cancelled' },
  paid: { fulfil: 'fulfilled', cancel: 'refunded', refund: 'refunded' },
  fulfilled: { refund: 'refunded' },
  cancelled: {},
  refunded: {},
};

export class IllegalTransition extends Error {
  constructor(
    readonly from: OrderStatus,
    readonly action: OrderAction,
  ) {
    super(`an order that is ${from} cannot be ${PAST[action]}`);
    this.name = 'IllegalTransition';
  }
}

const PAST: Record<OrderAction, string> = { pay: 'paid', cancel: 'cancelled', fulfil: 'fulfilled', refund: 'refunded' };

export const nextStatus = (from: OrderStatus, action: OrderAction): OrderStatus | null => ORDER_TRANSITIONS[from][action] ?? null;

/** The state an action leads to; throws IllegalTransition if the table has no such edge. */
export function transition(from: OrderStatus, action: OrderAction): OrderStatus {
  const next = nextStatus(from, action);
  if (!next) throw new IllegalTransition(from, action);
  return next;
}

/** Work outside the database an action needs, by the state it starts from. */
export interface ActionEffects {
  voidPayment: boolean;
  refundPayment: boolean;
  releaseStock: boolean;
  fulfilStock: boolean;
}

export function effectsOf(from: OrderStatus, action: OrderAction): ActionEffects {
  const next = transition(from, action);
  return {
    voidPayment: from === 'pending_payment' && next === 'cancelled',
    refundPayment: next === 'refunded',
    // Stock that has not shipped goes back on sale; shipped goods come back through returns.
    releaseStock: next === 'cancelled' || (next === 'refunded' && from === 'paid'),
    fulfilStock: next === 'fulfilled',
  };
}

/** The payment's state after an order reaches a status. */
export function paymentStateAfter(status: OrderStatus, current: PaymentState): PaymentState {
  switch (status) {
    case 'paid':
      return 'captured';
    case 'refunded':
      return 'refunded';
    case 'cancelled':
      return current === 'declined' ? 'declined' : 'voided';
    default:
      return current;
  }
}

/** Each status is announced by one event type. */
export const EVENT_OF_STATUS: Record<OrderStatus, OrderEventType> = {
  pending_payment: 'order.placed',
  paid: 'order.paid',
  fulfilled: 'order.fulfilled',
  cancelled: 'order.cancelled',
  refunded: 'order.refunded',
};
