import type { CloudEvent } from '@shop/contracts';

/** A message as it crosses the bus: CloudEvents attributes plus JSON data. */
export interface BusMessage {
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey?: string | undefined;
}

export interface ReceivedMessage extends BusMessage {
  /** Broker's id for this delivery (not the event id, which is attributes['ce-id']). */
  messageId: string;
  /** 1 on first delivery; 0 when the broker does not count (a Pub/Sub subscription without a dead-letter policy). */
  deliveryAttempt: number;
}

/** Handler resolves to ack; rejects to nack (redelivery, then dead letter). */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface Subscription {
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /**
   * Pub/Sub subscription filter applied when the subscription is created, e.g.
   * `attributes.shard = "2"` (the in-process bus understands this `attributes.KEY = "VALUE"` form).
   */
  filter?: string | undefined;
}

/** Events port: Pub/Sub in production, an in-process bus on one machine. */
export interface EventBus {
  /**
   * Resolves once the broker has accepted every message; rejects if any was not, with a
   * BusPublishError naming the messages that were not accepted when the adapter knows them.
   */
  publish(topic: string, messages: BusMessage[]): Promise<void>;
  subscribe(topic: string, subscription: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** An event to be written to the outbox in the caller's transaction. */
export interface OutboxEvent<T = unknown> extends CloudEvent<T> {
  topic: string;
  orderingKey?: string | undefined;
  /** Extra Pub/Sub attributes, e.g. the analytics shard. */
  attributes?: Record<string, string> | undefined;
}
