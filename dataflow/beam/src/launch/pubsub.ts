import { createHash } from 'node:crypto';
import { ANALYTICS_JOB, SUBSCRIPTIONS } from '@shop/contracts';
import type { RawMessage } from '@shop/dataflow';
import { P, flatten, parDo, withName, type PCollection, type Root } from 'apache-beam';
import { readFromPubSubWithAttributes } from 'apache-beam/io/pubsub';
import { applyNamed } from '../beam';

/** The fields of a Pub/Sub message the job reads, as Beam's Pub/Sub source decodes it. */
export interface PubsubMessageLike {
  data?: Uint8Array | string | null;
  attributes?: Record<string, string> | null;
  messageId?: string | null;
}

/** A message id for one without (the source may leave it out): the same bytes always get the same id. */
function contentId(data: string, attributes: Record<string, string>): string {
  const sorted = Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return `sha256:${createHash('sha256').update(JSON.stringify([data, sorted])).digest('hex')}`;
}

/** The job's view of a Pub/Sub message from `topic`, received at `receivedAt`. */
export function rawMessageOf(topic: string, message: PubsubMessageLike, receivedAt: string): RawMessage {
  const data = typeof message.data === 'string' ? message.data : Buffer.from(message.data ?? new Uint8Array()).toString('utf8');
  const attributes = { ...(message.attributes ?? {}) };
  return { topic, messageId: message.messageId || contentId(data, attributes), data, attributes, receivedAt };
}

/** Turns the source's messages of one subscription into the job's messages. */
export class ToRawMessage {
  constructor(readonly topic: string) {}

  process(message: PubsubMessageLike): RawMessage[] {
    return [rawMessageOf(this.topic, message, new Date().toISOString())];
  }
}

/**
 * Every analytics subscription (one per shard of every topic), read through Beam's Pub/Sub source,
 * a Java transform expanded at launch. Dataflow then drops redeliveries by ce-id and takes the
 * watermark from ce-time, so event time drives the windows.
 */
export async function readAnalyticsMessages(root: Root, project: string): Promise<PCollection<RawMessage>> {
  const parts: PCollection<RawMessage>[] = [];
  // One at a time: Beam nests transforms on a shared stack that concurrent expansions would tangle.
  for (const subscription of SUBSCRIPTIONS.filter((s) => s.consumer === ANALYTICS_JOB.name)) {
    const read = readFromPubSubWithAttributes({ subscription: `projects/${project}/subscriptions/${subscription.name}`, idAttribute: 'ce-id', timestampAttribute: 'ce-time' });
    const messages = await root.applyAsync(withName(`read ${subscription.name}`, read));
    parts.push(applyNamed(messages, `${subscription.name}/messages`, parDo(new ToRawMessage(subscription.topic))));
  }
  return P(parts).apply(withName('messages', flatten<RawMessage>()));
}
