import type { ActivityKind, InventoryEventType, OrderEventType, TopicName } from '@shop/contracts';

/** A message as the job receives it, from a Pub/Sub subscription or from a bounded input. */
export interface RawMessage {
  topic: string;
  /** Pub/Sub message id (or the input position for bounded runs). */
  messageId: string;
  /** The message body as UTF-8 text. */
  data: string;
  attributes: Record<string, string>;
  /** When the job received it (UTC ISO 8601); future event times are judged against it. */
  receivedAt: string;
}

/** What every parsed event carries: its identity, its event time (ce-time) and where it came from. */
export interface EventBase {
  topic: TopicName;
  messageId: string;
  eventId: string;
  eventType: string;
  /** ce-time as UTC ISO 8601. */
  eventTime: string;
  eventTimeMs: number;
  receivedAtMs: number;
}

/** A shopper activity event, reduced to what the aggregates read. */
export interface ActivityEvent extends EventBase {
  topic: 'activity-events';
  kind: ActivityKind;
  shopperId: string;
  sessionId: string;
  /** The product, for views, cart changes and purchases; null for searches and checkouts. */
  productId: string | null;
  quantity: number;
  /** Unit price in minor units of `currency` (0 when the event has no price). */
  priceMinor: number;
  currency: string | null;
}

/** An inventory event: the movement's on-hand deltas and the resulting level of its SKU at its warehouse. */
export interface InventoryEvent extends EventBase {
  topic: 'inventory-events';
  type: InventoryEventType;
  sku: string;
  warehouseId: string;
  deltaOnHand: number;
  deltaQualityHold: number;
  onHand: number;
  reserved: number;
  available: number;
  reorderPoint: number | null;
}

export interface OrderLineFacts {
  categoryId: string | null;
  quantity: number;
  lineTotalMinor: number;
}

export interface OrderEvent extends EventBase {
  topic: 'order-events';
  type: OrderEventType;
  orderId: string;
  currency: string;
  lines: OrderLineFacts[];
}

/** Catalog events feed no aggregate; they are validated so bad ones reach dead_letter. */
export interface CatalogEvent extends EventBase {
  topic: 'catalog-events';
}

export type JobEvent = ActivityEvent | InventoryEvent | OrderEvent | CatalogEvent;

/** A message a transform could not use, with everything needed to look at it or replay it. */
export interface DeadLetter {
  receivedAt: string;
  transform: string;
  reason: string;
  sourceTopic: string;
  messageId: string;
  eventId: string | null;
  eventType: string | null;
  eventTime: string | null;
  rawPayload: string;
  rawAttributes: Record<string, string>;
}

export type PaneTiming = 'EARLY' | 'ON_TIME' | 'LATE';

/** Which firing of a window a row is. */
export interface Pane {
  timing: PaneTiming;
  isFinal: boolean;
  /** UTC ISO 8601. */
  emittedAt: string;
}

/** One warehouse row by column name: TIMESTAMP as UTC ISO 8601, JSON as its text. */
export type RowValues = Record<string, string | number | boolean | null>;
