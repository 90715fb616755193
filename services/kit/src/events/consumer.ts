import type { Knex } from 'knex';
import { fromMessage, type CloudEvent } from '@shop/contracts';
import type { Logger } from '../logger';
import { createDeduplicator } from './processed-events';
import type { EventBus, SubscribeOptions, Subscription } from './types';

export interface ConsumerOptions {
  bus: EventBus;
  db: Knex;
  logger: Logger;
  topic: string;
  subscription: string;
  /** Names this consumer in processed_events, so each event id is applied once per consumer. */
  consumer: string;
  /** Runs in the transaction that records the event as processed; throwing redelivers it. */
  handle(event: CloudEvent, trx: Knex.Transaction): Promise<void>;
  subscribeOptions?: SubscribeOptions;
}

/**
 * Subscribes a service to a topic with the platform's consumer rules: the message must be a
 * CloudEvent, each event id is applied at most once (recorded in the same transaction as its
 * effects), and a failure nacks the message so the broker redelivers it and, in the end, dead-letters it.
 */
export function consumeEvents(options: ConsumerOptions): Promise<Subscription> {
  const dedupe = createDeduplicator(options.db, options.consumer);
  return options.bus.subscribe(
    options.topic,
    options.subscription,
    async (message) => {
      let event: CloudEvent;
      try {
        event = fromMessage(message.attributes, message.data);
      } catch (err) {
        options.logger.warn({ err, subscription: options.subscription, messageId: message.messageId }, 'message is not a CloudEvent; it will be dead-lettered');
        throw err;
      }
      await dedupe.run(event.id, (trx) => options.handle(event, trx));
    },
    options.subscribeOptions,
  );
}
