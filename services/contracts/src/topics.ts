/** Pub/Sub topics of the platform. Each has a dead-letter topic named `<topic>-dlq`. */
export const TOPICS = {
  catalog: 'catalog-events',
  inventory: 'inventory-events',
  orders: 'order-events',
  activity: 'activity-events',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const deadLetterTopic = (topic: TopicName): string => `${topic}-dlq`;

/** Number of analytics shards; publishers stamp `shard` so each runner replica owns its keys. */
export const DEFAULT_SHARD_COUNT = 4;

/** Stable shard of a key (FNV-1a), the same in every publisher and consumer. */
export function shardOf(key: string, shards: number = DEFAULT_SHARD_COUNT): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
