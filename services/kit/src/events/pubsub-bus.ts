import {
  PubSub,
  type BatchPublishOptions,
  type CallOptions,
  type ClientConfig,
  type Message,
  type Subscription as PubSubSubscription,
  type Topic,
} from '@google-cloud/pubsub';
import { createLogger, type Logger } from '../logger';
import type { BusMessage, EventBus, MessageHandler, ReceivedMessage, SubscribeOptions, Subscription } from './types';
import { BusPublishError } from './publish-error';
import { KeyedDispatcher } from './keyed-dispatcher';
import { deadLetterTopicOf, ensureTopics, isAlreadyExists } from './pubsub-topics';
import { parseAttributeFilter } from './filter';

export interface PubSubBusOptions {
  projectId: string;
  /** Where subscription errors and failed handlers are reported; defaults to a JSON logger on stdout. */
  logger?: Logger;
  /** Create missing topics, dead-letter topics and subscriptions (local and emulator use only). */
  autoCreate?: boolean;
  /** Extra client settings, e.g. `apiEndpoint` of a particular emulator. */
  clientConfig?: ClientConfig;
  /** Upper bound on one publish including the client's retries, so a relay batch cannot hang. */
  publishTimeoutMs?: number;
  batching?: BatchPublishOptions;
  /** Messages a subscriber holds unacked at once (flow control). */
  maxInFlight?: number;
  /** Dead-letter policy of subscriptions this bus creates. */
  maxDeliveryAttempts?: number;
  pingTimeoutMs?: number;
}

const DEFAULT_BATCHING: BatchPublishOptions = { maxMessages: 100, maxMilliseconds: 10 };

/** EventBus over Cloud Pub/Sub (or its emulator, which the client library picks up from PUBSUB_EMULATOR_HOST). */
export class PubSubBus implements EventBus {
  readonly pubsub: PubSub;
  private readonly projectId: string;
  private readonly logger: Logger;
  private readonly autoCreate: boolean;
  private readonly publishTimeoutMs: number;
  private readonly batching: BatchPublishOptions;
  private readonly maxInFlight: number;
  private readonly maxDeliveryAttempts: number;
  private readonly pingTimeoutMs: number;
  private readonly topics = new Map<string, Topic>();
  private readonly created = new Map<string, Promise<void>>();
  private readonly subscriptions = new Set<Subscription>();

  constructor(options: PubSubBusOptions) {
    this.projectId = options.projectId;
    this.pubsub = new PubSub({ ...options.clientConfig, projectId: options.projectId });
    this.logger = options.logger ?? createLogger({ service: 'pubsub-bus', level: 'info' });
    this.autoCreate = options.autoCreate ?? false;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 60_000;
    this.batching = options.batching ?? DEFAULT_BATCHING;
    this.maxInFlight = options.maxInFlight ?? 100;
    this.maxDeliveryAttempts = options.maxDeliveryAttempts ?? 5;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5000;
  }

  async publish(topic: string, messages: BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (this.autoCreate) await this.ensureTopic(topic);
    const handle = this.topicHandle(topic);
    const results = await Promise.allSettled(
      messages.map((m) =>
        handle.publishMessage({ data: m.data, attributes: m.attributes, ...(m.orderingKey ? { orderingKey: m.orderingKey } : {}) }),
      ),
    );
    const failed: number[] = [];
    const pausedKeys = new Set<string>();
    let firstError: unknown;
    results.forEach((result, i) => {
      if (result.status === 'fulfilled') return;
      failed.push(i);
      firstError ??= result.reason;
      const key = messages[i]?.orderingKey;
      if (key) pausedKeys.add(key);
    });
    // The client pauses a key after a failed ordered publish; resume it so the retry can go through.
    for (const key of pausedKeys) handle.resumePublishing(key);
    if (failed.length > 0) throw new BusPublishError(topic, failed, firstError);
  }

  async subscribe(topic: string, subscription: string, handler: MessageHandler, options: SubscribeOptions = {}): Promise<Subscription> {
    if (this.autoCreate) await this.ensureSubscription(topic, subscription, options.filter);
    else await this.assertSubscription(topic, subscription);

    const sub = this.pubsub.subscription(subscription, {
      flowControl: { maxMessages: this.maxInFlight, allowExcessMessages: false },
      closeOptions: { behavior: 'NACK' },
    });
    const dispatcher = new KeyedDispatcher((err) =>
      this.logger.warn({ err, topic, subscription }, 'event handler failed; message nacked for redelivery'),
    );
    // Pub/Sub applies the filter itself; checking again costs nothing and holds where it does not
    // (the emulator stores filters without applying them, and a subscription made by hand may lack one).
    const accepts = options.filter ? parseAttributeFilter(options.filter) : null;
    sub.on('message', (message: Message) => {
      if (accepts && !accepts(message.attributes)) {
        message.ack();
        return;
      }
      dispatcher.dispatch({
        orderingKey: message.orderingKey || undefined,
        handle: () => handler(toReceived(message)),
        ack: () => message.ack(),
        nack: () => message.nack(),
      });
    });
    // Without a listener an 'error' event would crash the process; the client retries transient ones itself.
    sub.on('error', (err: unknown) => this.logger.error({ err, topic, subscription }, 'Pub/Sub subscription error'));

    const handle: Subscription = {
      close: async () => {
        this.subscriptions.delete(handle);
        await dispatcher.close();
        await sub.close();
      },
    };
    this.subscriptions.add(handle);
    return handle;
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Pub/Sub did not answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    try {
      await Promise.race([
        this.pubsub.getTopics({ pageSize: 1, autoPaginate: false, gaxOpts: { timeout: this.pingTimeoutMs } }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()));
    await Promise.all([...this.topics.values()].map((t) => t.flush()));
    await this.pubsub.close();
  }

  private topicHandle(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = this.pubsub.topic(name, {
        messageOrdering: true,
        batching: this.batching,
        gaxOpts: publishCallOptions(this.publishTimeoutMs),
      });
      this.topics.set(name, topic);
    }
    return topic;
  }

  /** Once per topic per bus; a failure is forgotten so the next publish tries again. */
  private ensureTopic(topic: string): Promise<void> {
    let done = this.created.get(topic);
    if (!done) {
      done = ensureTopics(this.pubsub, [topic]);
      this.created.set(topic, done);
      done.catch(() => this.created.delete(topic));
    }
    return done;
  }

  private async ensureSubscription(topic: string, subscription: string, filter: string | undefined): Promise<void> {
    await this.ensureTopic(topic);
    try {
      await this.pubsub.topic(topic).createSubscription(subscription, {
        enableMessageOrdering: true,
        ...(filter ? { filter } : {}),
        deadLetterPolicy: {
          deadLetterTopic: `projects/${this.projectId}/topics/${deadLetterTopicOf(topic)}`,
          maxDeliveryAttempts: this.maxDeliveryAttempts,
        },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      await this.assertSubscription(topic, subscription);
    }
  }

  /** Fails fast, naming the subscription, when it is missing or bound to another topic. */
  private async assertSubscription(topic: string, subscription: string): Promise<void> {
    const existing: PubSubSubscription = this.pubsub.subscription(subscription);
    let boundTo: string | null | undefined;
    try {
      [{ topic: boundTo }] = await existing.getMetadata();
    } catch (err) {
      throw new Error(`Pub/Sub subscription ${subscription} is not usable: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (boundTo !== `projects/${this.projectId}/topics/${topic}`) {
      throw new Error(`Pub/Sub subscription ${subscription} reads ${boundTo ?? 'no topic'}, not ${topic}`);
    }
  }
}

/**
 * Retries within `timeoutMs` in all. The client's default backoff multiplies its pause by 4 and
 * checks the deadline only after pausing, so a publish to an unreachable broker ran far past it.
 */
function publishCallOptions(timeoutMs: number): CallOptions {
  return {
    timeout: timeoutMs,
    retry: {
      backoffSettings: {
        initialRetryDelayMillis: 100,
        retryDelayMultiplier: 2,
        maxRetryDelayMillis: Math.max(100, Math.min(5000, timeoutMs / 10)),
        initialRpcTimeoutMillis: timeoutMs,
        rpcTimeoutMultiplier: 1,
        maxRpcTimeoutMillis: timeoutMs,
        totalTimeoutMillis: timeoutMs,
      },
    },
  };
}

function toReceived(message: Message): ReceivedMessage {
  return {
    data: message.data,
    attributes: { ...message.attributes },
    orderingKey: message.orderingKey || undefined,
    messageId: message.id,
    deliveryAttempt: message.deliveryAttempt,
  };
}
