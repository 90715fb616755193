import { randomUUID } from 'node:crypto';
import { TOPICS, activityShard, shardOf, toAttributes, type ActivityKind, type TopicName } from '@shop/contracts';
import type { RawMessage } from '@shop/dataflow';

/** Builds a bounded input in delivery order: message ids are input positions, receipt times grow steadily. */
export class InputBuilder {
  private readonly messages: RawMessage[] = [];

  constructor(
    private readonly startMs: number,
    private readonly stepMs: number,
  ) {}

  get all(): RawMessage[] {
    return [...this.messages];
  }

  /** Appends a message as delivered; returns it so a test can deliver it again. */
  deliver(message: Omit<RawMessage, 'messageId' | 'receivedAt'>): RawMessage {
    const position = this.messages.length;
    const delivered = { ...message, messageId: String(position), receivedAt: new Date(this.startMs + position * this.stepMs).toISOString() };
    this.messages.push(delivered);
    return delivered;
  }

  /** Delivers a message once more, as Pub/Sub redelivers: same attributes and data, a new message id. */
  redeliver(message: RawMessage): RawMessage {
    return this.deliver({ topic: message.topic, data: message.data, attributes: message.attributes });
  }
}

export interface EventSpec {
  topic: TopicName;
  type: string;
  subject: string;
  time: string;
  data: unknown;
  shard: number;
}

export const messageOf = (event: EventSpec, id: string = randomUUID()): Omit<RawMessage, 'messageId' | 'receivedAt'> => ({
  topic: event.topic,
  data: JSON.stringify(event.data),
  attributes: toAttributes({ id, type: event.type, source: `/services/${event.topic}`, subject: event.subject, time: event.time, data: event.data }, { shard: String(event.shard) }),
});

export interface ActivitySpec {
  kind: ActivityKind;
  time: string;
  shopperId: string;
  productId: string;
  quantity?: number;
  priceMinor?: number;
  currency?: string;
}

export function activity(spec: ActivitySpec): EventSpec {
  const common = { shopperId: spec.shopperId, sessionId: `${spec.shopperId}-s1`, eventTime: spec.time };
  const line = { productId: spec.productId, sku: `SKU-${spec.productId.slice(0, 4)}`, quantity: spec.quantity ?? 1, priceMinor: spec.priceMinor ?? 1000, currency: spec.currency ?? 'EUR' };
  const data =
    spec.kind === 'product_viewed'
      ? { ...common, productId: spec.productId, sku: null }
      : spec.kind === 'purchase_completed'
        ? { ...common, ...line, orderId: randomUUID() }
        : { ...common, ...line };
  return { topic: TOPICS.activity, type: `activity.${spec.kind}`, subject: spec.shopperId, time: spec.time, data, shard: activityShard(spec.shopperId) };
}

export interface StockSpec {
  type: string;
  time: string;
  sku: string;
  warehouseId: string;
  deltaOnHand: number;
  onHand: number;
  reserved?: number;
  reorderPoint?: number | null;
}

export function stock(spec: StockSpec): EventSpec {
  const reserved = spec.reserved ?? 0;
  const data = {
    movementId: randomUUID(),
    warehouseId: spec.warehouseId,
    sku: spec.sku,
    delta: { onHand: spec.deltaOnHand, reserved: 0, committed: 0, incoming: 0, damaged: 0, qualityHold: 0 },
    level: { onHand: spec.onHand, reserved, committed: 0, safetyStock: 0, available: spec.onHand - reserved, incoming: 0, damaged: 0, qualityHold: 0 },
    reason: null,
    reference: null,
    reservationId: null,
    transferId: null,
    actor: 'operator-1',
    reorderPoint: spec.reorderPoint ?? null,
  };
  return { topic: TOPICS.inventory, type: spec.type, subject: spec.sku, time: spec.time, data, shard: shardOf(spec.sku) };
}

export interface OrderSpec {
  type: string;
  time: string;
  shopperId: string;
  currency: string;
  lines: { categoryId: string | null; quantity: number; unitPriceMinor: number }[];
}

export function order(spec: OrderSpec): EventSpec {
  const orderId = randomUUID();
  const lines = spec.lines.map((l, i) => ({
    productId: randomUUID(),
    sku: `SKU-${i}`,
    name: `Product ${i}`,
    categoryId: l.categoryId,
    quantity: l.quantity,
    unitPriceMinor: l.unitPriceMinor,
    lineTotalMinor: l.quantity * l.unitPriceMinor,
  }));
  const subtotalMinor = lines.reduce((sum, l) => sum + l.lineTotalMinor, 0);
  const status = spec.type === 'order.paid' ? 'paid' : 'pending_payment';
  const data = { orderId, orderNumber: 'SO-1001', status, shopperId: spec.shopperId, currency: spec.currency, subtotalMinor, totalMinor: subtotalMinor, lines, placedAt: spec.time, reason: null };
  return { topic: TOPICS.orders, type: spec.type, subject: orderId, time: spec.time, data, shard: shardOf(spec.shopperId) };
}
