import { createLogger, type Logger } from '../logger';
import type { BusMessage, EventBus, MessageHandler, ReceivedMessage, SubscribeOptions, Subscription } from './types';
import { deadLetterTopicOf } from './pubsub-topics';
import { attributeFilter } from './filter';

export interface MemoryBusOptions {
  /** Deliveries of a message before it moves to `<topic>-dlq`. */
  maxDeliveryAttempts?: number;
  redeliveryDelayMs?: number;
  /** Handler calls running at once per subscription (flow control). */
  maxInFlight?: number;
  /** Where failed handlers and dead letters are reported; defaults to a JSON logger on stdout. */
  logger?: Logger;
}

interface StoredMessage {
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
  orderingKey: string | undefined;
  attempts: number;
}

interface Subscriber {
  handler: MessageHandler;
  running: Set<Promise<void>>;
}

/** A subscription outlives its subscribers, like Pub/Sub's: messages wait until someone subscribes again. */
interface MemorySubscription {
  name: string;
  topic: string;
  accepts: (attributes: Record<string, string>) => boolean;
  subscribers: Subscriber[];
  nextSubscriber: number;
  waitingForSubscriber: (() => void)[];
  /** One lane per ordering key; an unkeyed message gets a lane of its own. */
  lanes: Map<string, StoredMessage[]>;
  inFlight: number;
  waitingForSlot: (() => void)[];
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));



/**
 * In-process EventBus with Pub/Sub's semantics: per-subscription copies, in-order delivery per
 * ordering key (a key waits while its head message is redelivered), redelivery after a rejected
 * handler, dead-lettering to `<topic>-dlq` after maxDeliveryAttempts, and messages published
 * to a topic without subscriptions dropped.
 */
export class MemoryBus implements EventBus {
  private readonly maxDeliveryAttempts: number;
  private readonly redeliveryDelayMs: number;
  private readonly maxInFlight: number;
  private readonly logger: Logger;
  private readonly subscriptions = new Map<string, MemorySubscription>();
  private readonly pumps = new Set<Promise<void>>();
  private nextMessageId = 1;
  private nextLaneId = 1;
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.maxDeliveryAttempts = options.maxDeliveryAttempts ?? 5;
    this.redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
    this.maxInFlight = options.maxInFlight ?? 100;
    this.logger = options.logger ?? createLogger({ service: 'memory-bus', level: 'info' });
  }

  publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('MemoryBus is closed'));
    for (const message of messages) this.enqueue(topic, message);
    return Promise.resolve();
  }

  subscribe(topic: string, subscription: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.closed) return Promise.reject(new Error('MemoryBus is closed'));
    let sub = this.subscriptions.get(subscription);
    if (!sub) {
      let accepts: MemorySubscription['accepts'];
      try {
        accepts = attributeFilter(options.filter);
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
      sub = {
        name: subscription,
        topic,
        accepts,
        subscribers: [],
        nextSubscriber: 0,
        waitingForSubscriber: [],
        lanes: new Map(),
        inFlight: 0,
        waitingForSlot: [],
      };
      this.subscriptions.set(subscription, sub);
    } else if (sub.topic !== topic) {
      return Promise.reject(new Error(`subscription ${subscription} reads ${sub.topic}, not ${topic}`));
    }
    const subscriber: Subscriber = { handler, running: new Set() };
    sub.subscribers.push(subscriber);
    for (const wake of sub.waitingForSubscriber.splice(0)) wake();
    const owner = sub;
    return Promise.resolve({
      close: async () => {
        owner.subscribers = owner.subscribers.filter((s) => s !== subscriber);
        await Promise.all([...subscriber.running]);
      },
    });
  }

  ping(): Promise<void> {
    return this.closed ? Promise.reject(new Error('MemoryBus is closed')) : Promise.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const sub of this.subscriptions.values()) {
      for (const wake of sub.waitingForSubscriber.splice(0)) wake();
      for (const wake of sub.waitingForSlot.splice(0)) wake();
      sub.subscribers = [];
    }
    await Promise.all([...this.pumps]);
  }

  private enqueue(topic: string, message: BusMessage, extraAttributes: Record<string, string> = {}): void {
    const messageId = String(this.nextMessageId++);
    for (const sub of this.subscriptions.values()) {
      if (sub.topic !== topic || !sub.accepts({ ...message.attributes, ...extraAttributes })) continue;
      const stored: StoredMessage = {
        messageId,
        // Copied as the broker would, so later changes by the publisher are not seen.
        data: Buffer.from(message.data),
        attributes: { ...message.attributes, ...extraAttributes },
        orderingKey: message.orderingKey || undefined,
        attempts: 0,
      };
      const laneId = stored.orderingKey === undefined ? `\0${this.nextLaneId++}` : stored.orderingKey;
      const lane = sub.lanes.get(laneId);
      if (lane) {
        lane.push(stored);
      } else {
        const fresh = [stored];
        sub.lanes.set(laneId, fresh);
        const pump = this.pump(sub, laneId, fresh);
        this.pumps.add(pump);
        void pump.finally(() => this.pumps.delete(pump));
      }
    }
  }

  /** Delivers a lane's messages one after another until it is empty. */
  private async pump(sub: MemorySubscription, laneId: string, lane: StoredMessage[]): Promise<void> {
    for (let message = lane[0]; message; message = lane[0]) {
      const subscriber = await this.nextSubscriber(sub);
      if (!subscriber || !(await this.acquireSlot(sub))) return;
      // It may have closed while this lane waited for a slot; then pick another subscriber.
      const ok = sub.subscribers.includes(subscriber) ? await this.deliver(sub, subscriber, message) : undefined;
      this.releaseSlot(sub);
      if (this.closed) return;
      if (ok === undefined) continue;
      if (ok) {
        lane.shift();
      } else if (message.attempts >= this.maxDeliveryAttempts) {
        lane.shift();
        this.deadLetter(sub, message);
      } else {
        await delay(this.redeliveryDelayMs);
      }
    }
    sub.lanes.delete(laneId);
  }

  private async deliver(sub: MemorySubscription, subscriber: Subscriber, message: StoredMessage): Promise<boolean> {
    message.attempts += 1;
    const received: ReceivedMessage = {
      messageId: message.messageId,
      data: Buffer.from(message.data),
      attributes: { ...message.attributes },
      orderingKey: message.orderingKey,
      deliveryAttempt: message.attempts,
    };
    const run = Promise.resolve()
      .then(() => subscriber.handler(received))
      .then(
        () => true,
        (err: unknown) => {
          this.logger.warn({ err, subscription: sub.name }, 'event handler failed; message will be redelivered');
          return false;
        },
      );
    const tracked = run.then(() => undefined);
    subscriber.running.add(tracked);
    try {
      return await run;
    } finally {
      subscriber.running.delete(tracked);
    }
  }

  private deadLetter(sub: MemorySubscription, message: StoredMessage): void {
    this.logger.warn({ subscription: sub.name, messageId: message.messageId }, 'message dead-lettered');
    // The same attributes Pub/Sub adds to a dead-lettered message.
    this.enqueue(deadLetterTopicOf(sub.topic), message, {
      CloudPubSubDeadLetterSourceSubscription: sub.name,
      CloudPubSubDeadLetterSourceDeliveryCount: String(message.attempts),
    });
  }

  /** Round robin over the subscription's subscribers; waits while it has none. */
  private async nextSubscriber(sub: MemorySubscription): Promise<Subscriber | undefined> {
    while (!this.closed) {
      if (sub.subscribers.length > 0) {
        const subscriber = sub.subscribers[sub.nextSubscriber % sub.subscribers.length];
        sub.nextSubscriber += 1;
        return subscriber;
      }
      await new Promise<void>((resolve) => sub.waitingForSubscriber.push(resolve));
    }
    return undefined;
  }

  /** Resolves to false when the bus closed while waiting. */
  private async acquireSlot(sub: MemorySubscription): Promise<boolean> {
    while (sub.inFlight >= this.maxInFlight && !this.closed) {
      await new Promise<void>((resolve) => sub.waitingForSlot.push(resolve));
    }
    if (this.closed) return false;
    sub.inFlight += 1;
    return true;
  }

  private releaseSlot(sub: MemorySubscription): void {
    sub.inFlight -= 1;
    sub.waitingForSlot.shift()?.();
  }
}
