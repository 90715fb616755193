import { PubSub } from '@google-cloud/pubsub';

/** gRPC status ALREADY_EXISTS. */
const ALREADY_EXISTS = 6;

export function isAlreadyExists(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === ALREADY_EXISTS;
}

export const deadLetterTopicOf = (topic: string): string => `${topic}-dlq`;

/** Creates each topic and its `<topic>-dlq` unless they exist (local and emulator use; GCP gets them from CDKTF). */
export async function ensureTopics(source: PubSub | { readonly pubsub: PubSub }, topics: readonly string[]): Promise<void> {
  const pubsub = source instanceof PubSub ? source : source.pubsub;
  const names = [...new Set(topics.flatMap((topic) => [topic, deadLetterTopicOf(topic)]))];
  await Promise.all(
    names.map((name) =>
      pubsub.createTopic(name).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      }),
    ),
  );
}
