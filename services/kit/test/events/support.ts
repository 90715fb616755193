import { randomBytes, randomUUID } from 'node:crypto';
import pino from 'pino';
import type { PubSub } from '@google-cloud/pubsub';
import { ensureTopics, type OutboxEvent, type ReceivedMessage } from '@shop/kit';

// No GCE metadata server here; without this the client library probes for one and warns on every client.
process.env.METADATA_SERVER_DETECTION ??= 'none';

export const silentLogger = pino({ level: 'silent' });

export const PROJECT_ID = 'shop-test';

/** Pub/Sub-valid names that never collide across test files sharing one emulator. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/** Records what a subscription receives; `fail` decides per delivery whether the handler rejects. */
export class Inbox {
  readonly deliveries: ReceivedMessage[] = [];
  readonly handled: ReceivedMessage[] = [];

  constructor(private readonly fail: (message: ReceivedMessage) => boolean = () => false) {}

  readonly handler = async (message: ReceivedMessage): Promise<void> => {
    this.deliveries.push(message);
    if (this.fail(message)) throw new Error('handler refused the message');
    this.handled.push(message);
  };

  eventIds(): string[] {
    return this.handled.map((m) => m.attributes['ce-id'] ?? '');
  }

  waitForHandled(count: number, timeoutMs?: number): Promise<void> {
    return waitFor(`${count} handled messages (have ${this.handled.length})`, () => this.handled.length >= count, timeoutMs);
  }
}

/** How many times each value occurs. */
export function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

export function stockEvent(topic: string, sku: string | undefined, n: number): OutboxEvent {
  return {
    id: randomUUID(),
    type: 'inventory.stock_adjusted',
    source: '/inventory',
    subject: sku ?? `warehouse-${n}`,
    time: new Date().toISOString(),
    data: { sku, n, level: { onHand: n, reserved: 0, available: n } },
    topic,
    orderingKey: sku,
  };
}

/** Topic, its dead-letter topic and an ordered subscription, as the infrastructure would create them. */
export async function createTopicAndSubscription(pubsub: PubSub, topic: string, subscription: string): Promise<void> {
  await ensureTopics(pubsub, [topic]);
  await pubsub.topic(topic).createSubscription(subscription, { enableMessageOrdering: true });
}
