import { TOPICS, toAttributes } from '@shop/contracts';
import type { RawMessage } from '@shop/dataflow';
import { InputBuilder, activity, messageOf, order, stock } from './messages';

/** Start of the bounded scenario's first minute; every event happens in the three minutes after it. */
export const SCENARIO_START_MS = Date.parse('2026-03-02T10:00:00.000Z');

// shopper-0000 and shopper-0004 share analytics shard 3; shopper-0001 is on shard 0, shopper-0002 on 1.
const ANNA = 'shopper-0000';
const BEN = 'shopper-0001';
const CARA = 'shopper-0002';
const DAN = 'shopper-0004';
const MUG = '6f1c2a4e-0000-4000-8000-00000000a001';
const TEE = '6f1c2a4e-0000-4000-8000-00000000a002';
const KITCHEN = '6f1c2a4e-0000-4000-8000-00000000c001';
const APPAREL = '6f1c2a4e-0000-4000-8000-00000000c002';

export interface Scenario {
  messages: RawMessage[];
  /** Message ids of the messages that must be dead-lettered. */
  malformed: string[];
  /** Position of the first message delivered after events of the scenario's third minute. */
  lateFrom: number;
}

/**
 * A bounded input with what streaming delivers: events out of event-time order, redeliveries,
 * events arriving after their minute has closed, and messages no transform can use.
 */
export function scenario(startMs: number = SCENARIO_START_MS): Scenario {
  if (startMs % 60_000 !== 0) throw new Error('a scenario starts on a minute');
  const at = (offsetSeconds: number): string => new Date(startMs + offsetSeconds * 1000).toISOString();
  const input = new InputBuilder(startMs + 5_000, 4_000);
  const malformed: string[] = [];
  const bad = (message: Omit<RawMessage, 'messageId' | 'receivedAt'>): RawMessage => {
    const delivered = input.deliver(message);
    malformed.push(delivered.messageId);
    return delivered;
  };

  // Minute 10:00: the mug's funnel on two shards, stock received and shipped, a paid order.
  input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(5), shopperId: ANNA, productId: MUG })));
  const benViews = input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(20), shopperId: BEN, productId: MUG })));
  const received = input.deliver(messageOf(stock({ type: 'inventory.stock_received', time: at(10), sku: 'MUG-WHT', warehouseId: 'berlin-1', deltaOnHand: 10, onHand: 10, reorderPoint: 4 })));
  input.deliver(messageOf(activity({ kind: 'cart_item_added', time: at(30), shopperId: ANNA, productId: MUG })));
  const paid = input.deliver(
    messageOf(order({ type: 'order.paid', time: at(32), shopperId: ANNA, currency: 'EUR', lines: [{ categoryId: KITCHEN, quantity: 2, unitPriceMinor: 1500 }, { categoryId: KITCHEN, quantity: 1, unitPriceMinor: 500 }, { categoryId: null, quantity: 1, unitPriceMinor: 300 }] })),
  );
  input.deliver(messageOf(order({ type: 'order.placed', time: at(31), shopperId: ANNA, currency: 'EUR', lines: [{ categoryId: KITCHEN, quantity: 2, unitPriceMinor: 1500 }] })));
  const bought = input.deliver(messageOf(activity({ kind: 'purchase_completed', time: at(40), shopperId: ANNA, productId: MUG, quantity: 2, priceMinor: 1500, currency: 'EUR' })));
  input.deliver(messageOf(stock({ type: 'inventory.stock_fulfilled', time: at(45), sku: 'MUG-WHT', warehouseId: 'berlin-1', deltaOnHand: -2, onHand: 8, reorderPoint: 4 })));

  // Minute 10:01, with a 10:00 view arriving among its events (out of order).
  input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(70), shopperId: CARA, productId: TEE })));
  input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(50), shopperId: ANNA, productId: MUG })));
  input.deliver(messageOf(activity({ kind: 'purchase_completed', time: at(90), shopperId: ANNA, productId: TEE, quantity: 1, priceMinor: 999, currency: 'USD' })));
  input.deliver(messageOf(activity({ kind: 'purchase_completed', time: at(95), shopperId: DAN, productId: TEE, quantity: 3, priceMinor: 899, currency: 'EUR' })));
  input.deliver(messageOf(activity({ kind: 'cart_item_removed', time: at(100), shopperId: DAN, productId: TEE })));
  input.deliver(messageOf(stock({ type: 'inventory.stock_adjusted', time: at(65), sku: 'MUG-WHT', warehouseId: 'berlin-1', deltaOnHand: -5, onHand: 3, reorderPoint: 4 })));
  input.deliver(messageOf(stock({ type: 'inventory.stock_counted', time: at(110), sku: 'MUG-WHT', warehouseId: 'berlin-1', deltaOnHand: 1, onHand: 4, reorderPoint: 4 })));
  input.deliver(messageOf(order({ type: 'order.paid', time: at(75), shopperId: CARA, currency: 'USD', lines: [{ categoryId: APPAREL, quantity: 1, unitPriceMinor: 2500 }] })));

  // Redeliveries of events already counted.
  input.redeliver(benViews);
  input.redeliver(paid);
  input.redeliver(received);

  // Minute 10:02 moves event time on (on shards 0 and 1 for every topic); then 10:00 and 10:01 events arrive late.
  input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(130), shopperId: BEN, productId: TEE })));
  input.deliver(messageOf(stock({ type: 'inventory.stock_received', time: at(140), sku: 'TEE-BLK-M', warehouseId: 'berlin-1', deltaOnHand: 20, onHand: 20 })));
  input.deliver(messageOf(order({ type: 'order.paid', time: at(150), shopperId: BEN, currency: 'EUR', lines: [{ categoryId: APPAREL, quantity: 2, unitPriceMinor: 1200 }] })));
  input.deliver(messageOf(stock({ type: 'inventory.stock_received', time: at(160), sku: 'MUG-WHT', warehouseId: 'hamburg-1', deltaOnHand: 6, onHand: 6 })));
  input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(175), shopperId: DAN, productId: MUG })));
  const lateFrom = input.all.length;
  input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(55), shopperId: CARA, productId: MUG })));
  input.deliver(messageOf(activity({ kind: 'product_viewed', time: at(58), shopperId: BEN, productId: MUG })));
  input.deliver(messageOf(stock({ type: 'inventory.stock_fulfilled', time: at(115), sku: 'MUG-WHT', warehouseId: 'berlin-1', deltaOnHand: -1, onHand: 3, reorderPoint: 4 })));
  input.redeliver(bought);

  // Messages no transform can use.
  const view = messageOf(activity({ kind: 'product_viewed', time: at(60), shopperId: BEN, productId: TEE }));
  const truncated = bad({ ...view, data: '{"shopperId": ' });
  // Redelivered, a message that cannot be parsed is dead-lettered again: without an id there is nothing to recognise it by.
  malformed.push(input.redeliver(truncated).messageId);
  bad({ ...view, attributes: { ...view.attributes, 'ce-id': '' } });
  bad({ ...view, attributes: { ...view.attributes, 'ce-specversion': '0.3' } });
  bad({ ...view, attributes: { ...view.attributes, 'ce-time': 'yesterday' } });
  bad({ ...view, attributes: { ...view.attributes, 'ce-type': 'activity.product_teleported' } });
  bad({ ...view, topic: 'mystery-events' });
  bad(messageOf(activity({ kind: 'cart_item_added', time: at(61), shopperId: BEN, productId: TEE, quantity: 0 })));
  bad(messageOf(activity({ kind: 'product_viewed', time: at(60 * 60), shopperId: BEN, productId: TEE })));
  bad(messageOf(stock({ type: 'inventory.stock_teleported', time: at(62), sku: 'MUG-WHT', warehouseId: 'berlin-1', deltaOnHand: 1, onHand: 5 })));
  bad({
    topic: TOPICS.orders,
    data: JSON.stringify({ orderId: 'not-a-uuid' }),
    attributes: toAttributes({ id: 'order-without-lines', type: 'order.paid', source: '/services/orders', subject: 'x', time: at(63), data: null }, { shard: '0' }),
  });

  return { messages: input.all, malformed, lateFrom };
}
