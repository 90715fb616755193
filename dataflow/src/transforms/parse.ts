import type { z } from 'zod';
import {
  ACTIVITY_KINDS,
  CATALOG_EVENT_TYPES,
  INVENTORY_EVENT_TYPES,
  ORDER_EVENT_TYPES,
  TOPICS,
  activityDataSchemas,
  catalogEventDataSchemas,
  cloudEventAttributesSchema,
  inventoryEventDataSchema,
  orderEventDataSchema,
  type ActivityKind,
  type CatalogEventType,
  type InventoryEventType,
  type OrderEventType,
  type TopicName,
} from '@shop/contracts';
import { PARSE_TRANSFORM, REJECTIONS, deadLetterOf, type KnownContext, type Rejection } from './dead-letter';
import type { ActivityEvent, CatalogEvent, DeadLetter, EventBase, InventoryEvent, JobEvent, OrderEvent, RawMessage } from './message';

/** How far past its receipt an event may claim to have happened (the activity service allows 5 minutes of clock skew). */
export const DEFAULT_MAX_FUTURE_MS = 10 * 60_000;

export interface ParseOptions {
  maxFutureMs: number;
}

export type ParseResult = { ok: true; event: JobEvent } | { ok: false; deadLetter: DeadLetter };

const TOPIC_NAMES: ReadonlySet<string> = new Set(Object.values(TOPICS));
const isTopic = (topic: string): topic is TopicName => TOPIC_NAMES.has(topic);
const oneOf = <T extends string>(values: readonly T[], value: string): value is T => (values as readonly string[]).includes(value);

/** The first validation issue as `path: message`. */
function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

class Rejected extends Error {
  constructor(
    readonly rejection: Rejection,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function decode<S extends z.ZodType>(schema: S, json: unknown, prefix: string): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Rejected(REJECTIONS.invalidData, `${prefix}${describe(parsed.error)}`);
  return parsed.data;
}

function activityOf(base: EventBase, kind: ActivityKind, json: unknown): ActivityEvent {
  const data: Record<string, unknown> & { shopperId: string; sessionId: string } = decode(activityDataSchemas[kind], json, 'data.');
  const text = (key: string): string | null => (typeof data[key] === 'string' ? data[key] : null);
  const number = (key: string): number => (typeof data[key] === 'number' ? data[key] : 0);
  return {
    ...base,
    topic: TOPICS.activity,
    kind,
    shopperId: data.shopperId,
    sessionId: data.sessionId,
    productId: text('productId'),
    quantity: number('quantity'),
    priceMinor: number('priceMinor'),
    currency: text('currency'),
  };
}

function inventoryOf(base: EventBase, type: InventoryEventType, json: unknown): InventoryEvent {
  const data = decode(inventoryEventDataSchema, json, 'data.');
  return {
    ...base,
    topic: TOPICS.inventory,
    type,
    sku: data.sku,
    warehouseId: data.warehouseId,
    deltaOnHand: data.delta.onHand,
    deltaQualityHold: data.delta.qualityHold,
    onHand: data.level.onHand,
    reserved: data.level.reserved,
    available: data.level.available,
    reorderPoint: data.reorderPoint,
  };
}

function orderOf(base: EventBase, type: OrderEventType, json: unknown): OrderEvent {
  const data = decode(orderEventDataSchema, json, 'data.');
  return {
    ...base,
    topic: TOPICS.orders,
    type,
    orderId: data.orderId,
    currency: data.currency,
    lines: data.lines.map((l) => ({ categoryId: l.categoryId, quantity: l.quantity, lineTotalMinor: l.lineTotalMinor })),
  };
}

function catalogOf(base: EventBase, type: CatalogEventType, json: unknown): CatalogEvent {
  decode(catalogEventDataSchemas[type], json, 'data.');
  return { ...base, topic: TOPICS.catalog };
}

/** The event of a known type on its topic; throws Rejected for a type the topic does not carry. */
function eventOf(base: EventBase, json: unknown): JobEvent {
  const type = base.eventType;
  switch (base.topic) {
    case TOPICS.activity: {
      const kind = type.startsWith('activity.') ? type.slice('activity.'.length) : '';
      if (oneOf(ACTIVITY_KINDS, kind)) return activityOf(base, kind, json);
      break;
    }
    case TOPICS.inventory:
      if (oneOf(INVENTORY_EVENT_TYPES, type)) return inventoryOf(base, type, json);
      break;
    case TOPICS.orders:
      if (oneOf(ORDER_EVENT_TYPES, type)) return orderOf(base, type, json);
      break;
    case TOPICS.catalog:
      if (oneOf(CATALOG_EVENT_TYPES, type)) return catalogOf(base, type, json);
      break;
  }
  throw new Rejected(REJECTIONS.unknownEventType, `${type} is not an event type of ${base.topic}`);
}

/**
 * Parses and validates one message against the contracts: CloudEvents attributes, a type its topic
 * carries, JSON data matching the type's schema, and an event time not too far past its receipt.
 * Never throws: whatever is wrong becomes a dead letter naming the reason.
 */
export function parseMessage(message: RawMessage, options: ParseOptions): ParseResult {
  const known: KnownContext = {};
  try {
    if (!isTopic(message.topic)) throw new Rejected(REJECTIONS.unknownTopic, message.topic);
    known.eventId = message.attributes['ce-id'] || undefined;
    known.eventType = message.attributes['ce-type'] || undefined;
    const attributes = cloudEventAttributesSchema.safeParse(message.attributes);
    if (!attributes.success) throw new Rejected(REJECTIONS.invalidAttributes, describe(attributes.error));
    const eventTimeMs = Date.parse(attributes.data['ce-time']);
    if (Number.isNaN(eventTimeMs)) throw new Rejected(REJECTIONS.invalidAttributes, `ce-time: ${attributes.data['ce-time']} is not a real time`);
    const eventTime = new Date(eventTimeMs).toISOString();
    known.eventTime = eventTime;
    const base: EventBase = {
      topic: message.topic,
      messageId: message.messageId,
      eventId: attributes.data['ce-id'],
      eventType: attributes.data['ce-type'],
      eventTime,
      eventTimeMs,
      receivedAtMs: Date.parse(message.receivedAt),
    };
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch (err) {
      throw new Rejected(REJECTIONS.malformedJson, err instanceof Error ? err.message : String(err));
    }
    const event = eventOf(base, json);
    if (eventTimeMs > base.receivedAtMs + options.maxFutureMs) {
      throw new Rejected(REJECTIONS.futureEventTime, `${eventTime} is more than ${options.maxFutureMs / 1000} s after it was received`);
    }
    return { ok: true, event };
  } catch (err) {
    if (!(err instanceof Rejected)) throw err;
    return { ok: false, deadLetter: deadLetterOf(message, PARSE_TRANSFORM, err.rejection, err.detail, known) };
  }
}
