import { randomUUID } from 'node:crypto';
import { ORDERS_SOURCE, TOPICS, type OrderEventData, type OrderView } from '@shop/contracts';
import { writeOutbox, type Knex, type OutboxEvent } from '@shop/kit';
import { EVENT_OF_STATUS, paymentStateAfter, transition, type OrderAction } from '../domain/order-states';
import { updateOrder, type OrderRecord, type OrderPatch } from '../store/orders';

export function orderView(o: OrderRecord): OrderView {
  return {
    id: o.id,
    number: o.number,
    status: o.status,
    shopperId: o.shopperId,
    email: o.email,
    currency: o.currency,
    lines: o.lines,
    subtotalMinor: o.subtotalMinor,
    shippingMinor: o.shippingMinor,
    totalMinor: o.totalMinor,
    shipping: o.shipping,
    payment: { state: o.paymentState, brand: o.paymentBrand, last4: o.paymentLast4 },
    createdAt: o.placedAt,
    updatedAt: o.updatedAt,
  };
}

/** The order after a change, as every order event carries it (subject = order id). */
export function orderEvent(o: OrderRecord): OutboxEvent<OrderEventData> {
  return {
    id: randomUUID(),
    topic: TOPICS.orders,
    type: EVENT_OF_STATUS[o.status],
    source: ORDERS_SOURCE,
    subject: o.id,
    time: new Date().toISOString(),
    data: {
      orderId: o.id,
      orderNumber: o.number,
      status: o.status,
      shopperId: o.shopperId,
      currency: o.currency,
      subtotalMinor: o.subtotalMinor,
      totalMinor: o.totalMinor,
      lines: o.lines,
      placedAt: o.placedAt,
      reason: o.reason,
    },
  };
}

/**
 * Every status change: the transition table decides the next state (IllegalTransition otherwise),
 * and the change and its event commit together.
 */
export async function moveOrder(trx: Knex.Transaction, order: OrderRecord, action: OrderAction, reason: string | null, patch: OrderPatch = {}): Promise<OrderRecord> {
  const status = transition(order.status, action);
  const moved = await updateOrder(trx, order.id, { ...patch, status, paymentState: paymentStateAfter(status, patch.paymentState ?? order.paymentState), reason });
  await writeOutbox(trx, [orderEvent(moved)]);
  return moved;
}
