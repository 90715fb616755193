import {
  ACTIVITY_SOURCE,
  CATALOG_SOURCE,
  INVENTORY_SOURCE,
  ORDERS_SOURCE,
  TOPICS,
  activityEventType,
  activityShard,
  shardOf,
  toAttributes,
  type ActivityKind,
  type CloudEvent,
  type InventoryEventType,
  type OrderEventType,
  type TopicName,
} from '@shop/contracts';
import type { BusMessage } from '@shop/kit';

/** A seeded pseudo-random source (mulberry32), so generated streams and their truths repeat. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A version 4 UUID drawn from `rand`. */
export function uuidOf(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(rand() * 4) + 8) as number).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface Published {
  topic: TopicName;
  message: BusMessage;
  event: CloudEvent<Record<string, unknown>>;
}

function published(topic: TopicName, event: CloudEvent<Record<string, unknown>>, shard: number, orderingKey?: string): Published {
  return { topic, event, message: { data: Buffer.from(JSON.stringify(event.data)), attributes: toAttributes(event, { shard: String(shard) }), orderingKey } };
}

export interface ActivitySpec {
  id: string;
  kind: ActivityKind;
  time: string;
  shopperId: string;
  sessionId: string;
  productId: string;
  quantity?: number;
  priceMinor?: number;
  currency?: string;
  orderId?: string;
}

export function activityEvent(spec: ActivitySpec, shards: number): Published {
  const common = { shopperId: spec.shopperId, sessionId: spec.sessionId, eventTime: spec.time };
  const line = { productId: spec.productId, sku: `SKU-${spec.productId.slice(0, 6)}`, quantity: spec.quantity ?? 1, priceMinor: spec.priceMinor ?? 1000, currency: spec.currency ?? 'EUR' };
  const data: Record<string, unknown> =
    spec.kind === 'product_viewed'
      ? { ...common, productId: spec.productId, sku: null }
      : spec.kind === 'purchase_completed'
        ? { ...common, ...line, orderId: spec.orderId ?? spec.id }
        : spec.kind === 'search_performed'
          ? { ...common, query: 'shirt', resultCount: 3 }
          : spec.kind === 'checkout_started'
            ? { ...common, cartId: spec.id, itemCount: 1, valueMinor: 1000, currency: 'EUR' }
            : { ...common, ...line };
  const event = { id: spec.id, type: activityEventType(spec.kind), source: ACTIVITY_SOURCE, subject: spec.productId, time: spec.time, data };
  return published(TOPICS.activity, event, activityShard(spec.shopperId, shards));
}

export interface InventorySpec {
  id: string;
  type: InventoryEventType;
  time: string;
  sku: string;
  warehouseId: string;
  deltaOnHand: number;
  onHand: number;
  reserved: number;
  reorderPoint: number | null;
}

export function inventoryEvent(spec: InventorySpec, shards: number): Published {
  const available = spec.onHand - spec.reserved;
  const data = {
    movementId: spec.id,
    warehouseId: spec.warehouseId,
    sku: spec.sku,
    delta: { onHand: spec.deltaOnHand, reserved: 0, committed: 0, incoming: 0, damaged: 0, qualityHold: 0 },
    level: { onHand: spec.onHand, reserved: spec.reserved, committed: 0, safetyStock: 0, available, incoming: 0, damaged: 0, qualityHold: 0 },
    reason: null,
    reference: null,
    reservationId: null,
    transferId: null,
    actor: 'test',
    reorderPoint: spec.reorderPoint,
  };
  const event = { id: spec.id, type: spec.type, source: INVENTORY_SOURCE, subject: spec.sku, time: spec.time, data };
  return published(TOPICS.inventory, event, shardOf(spec.sku, shards), spec.sku);
}

export interface OrderSpec {
  id: string;
  type: OrderEventType;
  time: string;
  orderId: string;
  shopperId: string;
  currency: string;
  lines: { productId: string; categoryId: string | null; quantity: number; unitPriceMinor: number }[];
}

export function orderEvent(spec: OrderSpec, shards: number): Published {
  const lines = spec.lines.map((l) => ({ ...l, sku: `SKU-${l.productId.slice(0, 6)}`, name: 'Product', lineTotalMinor: l.quantity * l.unitPriceMinor }));
  const subtotal = lines.reduce((n, l) => n + l.lineTotalMinor, 0);
  const data = {
    orderId: spec.orderId,
    orderNumber: `SO-${spec.orderId.slice(0, 8)}`,
    status: spec.type === 'order.placed' ? 'pending_payment' : 'paid',
    shopperId: spec.shopperId,
    currency: spec.currency,
    subtotalMinor: subtotal,
    totalMinor: subtotal,
    lines,
    placedAt: spec.time,
    reason: null,
  };
  const event = { id: spec.id, type: spec.type, source: ORDERS_SOURCE, subject: spec.orderId, time: spec.time, data };
  return published(TOPICS.orders, event, shardOf(spec.orderId, shards));
}

export function catalogEvent(id: string, productId: string, time: string, shards: number): Published {
  const data = { productId, slug: 'a-shirt', name: 'A shirt', status: 'active', categoryId: null, variants: [], version: 1, deletedAt: null };
  const event = { id, type: 'catalog.product_updated', source: CATALOG_SOURCE, subject: productId, time, data };
  return published(TOPICS.catalog, event, shardOf(productId, shards));
}
