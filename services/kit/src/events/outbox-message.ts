import { shardOf, toAttributes } from '@shop/contracts';
import type { BusMessage } from './types';

/** An unpublished outbox row as the relay reads it. */
export interface OutboxRow {
  seq: string;
  id: string;
  topic: string;
  ordering_key: string | null;
  type: string;
  source: string;
  subject: string;
  time: Date;
  data: unknown;
  attributes: Record<string, string>;
  attempts: number;
}

/** The Pub/Sub message for a row: CloudEvents attributes, the analytics shard, JSON data. */
export function toBusMessage(row: OutboxRow, shardCount: number): BusMessage {
  const event = {
    id: row.id,
    type: row.type,
    source: row.source,
    subject: row.subject,
    time: row.time.toISOString(),
    data: row.data,
  };
  const orderingKey = row.ordering_key ?? undefined;
  // A shard the writer chose explicitly wins over the computed one.
  const extra = { shard: String(shardOf(orderingKey ?? row.subject, shardCount)), ...row.attributes };
  return {
    data: Buffer.from(JSON.stringify(row.data)),
    attributes: toAttributes(event, extra),
    orderingKey,
  };
}
