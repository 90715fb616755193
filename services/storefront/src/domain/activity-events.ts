import { createHash, randomUUID } from 'node:crypto';
import type { ActivityInput, CartView, OrderView } from '@shop/contracts';

export interface Who {
  shopperId: string;
  sessionId: string;
}

const stamp = (who: Who, at: Date, eventId: string = randomUUID()) => ({ eventId, eventTime: at.toISOString(), shopperId: who.shopperId, sessionId: who.sessionId });

/** A UUID (version 8, name-based) that is the same every time for the same name. */
export function nameBasedUuid(name: string): string {
  const bytes = createHash('sha256').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * What a cart change was, line by line: units added or removed per SKU between the cart before
 * and after, priced as the cart priced them.
 */
export function cartChangeEvents(before: CartView | null, after: CartView, who: Who, at: Date): ActivityInput[] {
  const previous = new Map((before?.lines ?? []).map((l) => [l.sku, l]));
  const current = new Map(after.lines.map((l) => [l.sku, l]));
  const currency = after.currency ?? before?.currency;
  if (!currency) return [];
  const events: ActivityInput[] = [];
  for (const sku of new Set([...previous.keys(), ...current.keys()])) {
    const was = previous.get(sku);
    const now = current.get(sku);
    const delta = (now?.quantity ?? 0) - (was?.quantity ?? 0);
    const line = now ?? was;
    if (delta === 0 || !line) continue;
    const fields = { productId: line.productId, sku, quantity: Math.abs(delta), priceMinor: line.unitPriceMinor, currency };
    events.push({ type: delta > 0 ? 'cart_item_added' : 'cart_item_removed', ...stamp(who, at), ...fields });
  }
  return events;
}

export function checkoutStartedEvent(cart: CartView, who: Who, at: Date): ActivityInput | null {
  if (!cart.currency || cart.lines.length === 0) return null;
  return { type: 'checkout_started', ...stamp(who, at), cartId: cart.id, itemCount: cart.itemCount, valueMinor: cart.subtotalMinor, currency: cart.currency };
}

/**
 * A purchase is one event per order line. Their ids come from the order and line, so the answer
 * to a double submit (the same order again) repeats the same events, which the activity service drops.
 */
export function purchaseEvents(order: OrderView, who: Who, at: Date): ActivityInput[] {
  return order.lines.map((line) => ({
    type: 'purchase_completed',
    ...stamp(who, at, nameBasedUuid(`purchase_completed:${order.id}:${line.sku}`)),
    orderId: order.id,
    productId: line.productId,
    sku: line.sku,
    quantity: line.quantity,
    priceMinor: line.unitPriceMinor,
    currency: order.currency,
  }));
}
