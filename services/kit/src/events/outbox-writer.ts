import type { Knex } from 'knex';
import { z } from 'zod';
import { cloudEventAttributesSchema, toAttributes } from '@shop/contracts';
import type { OutboxEvent } from './types';

/** Channel the relay LISTENs on; Postgres delivers the notification when the writer commits. */
export const OUTBOX_CHANNEL = 'outbox';

const outboxFieldsSchema = z.object({
  id: z.guid(),
  topic: z.string().min(1),
  orderingKey: z.string().min(1).max(1024).optional(),
  attributes: z.record(z.string(), z.string()).optional(),
});

/** Rejects an event here, in the writer's transaction, rather than as a row the relay can never publish. */
function toRow(event: OutboxEvent): Record<string, unknown> {
  const fields = outboxFieldsSchema.safeParse(event);
  const envelope = cloudEventAttributesSchema.safeParse(toAttributes(event));
  const problem = fields.error ?? envelope.error;
  if (problem) throw new Error(`outbox event ${String(event.id)} is invalid: ${z.prettifyError(problem)}`);
  if (event.data === undefined) throw new Error(`outbox event ${event.id} is invalid: data is missing`);
  return {
    id: event.id,
    topic: event.topic,
    ordering_key: event.orderingKey ?? null,
    type: event.type,
    source: event.source,
    subject: event.subject,
    time: event.time,
    data: event.data,
    attributes: event.attributes ?? {},
  };
}

/**
 * The outbox insert as a CTE body taking one JSON parameter (see outboxParameter). A service may
 * put it in a statement of its own so its state change and its events cost one round trip.
 */
export const OUTBOX_INSERT_CTE = `
  insert into outbox (id, topic, ordering_key, type, source, subject, time, data, attributes)
  select id, topic, ordering_key, type, source, subject, time, data, attributes
  from jsonb_to_recordset(?::jsonb) as r(
    id uuid, topic text, ordering_key text, type text, source text, subject text,
    time timestamptz, data jsonb, attributes jsonb)
  returning 1`;

/** Selects pg_notify for the relay when the named CTE inserted rows; delivered on commit. */
export const outboxNotifySelect = (cte: string): string =>
  `select pg_notify('${OUTBOX_CHANNEL}', '') from (select count(*) as n from ${cte}) c where c.n > 0`;

/** Validates the events and encodes them as the parameter of OUTBOX_INSERT_CTE. */
export function outboxParameter(events: readonly OutboxEvent[]): string {
  return JSON.stringify(events.map(toRow));
}

// One statement whatever the batch size: the rows travel as a single JSON parameter.
const INSERT_AND_NOTIFY = `with inserted as (${OUTBOX_INSERT_CTE}) ${outboxNotifySelect('inserted')}`;

/**
 * Writes events to the outbox in the caller's transaction, so they are published if and only if
 * it commits. Callers writing events with an ordering key should lock the entity first (as every
 * update of its row does) so that outbox order per key follows commit order.
 */
export async function writeOutbox(trx: Knex | Knex.Transaction, events: readonly OutboxEvent[]): Promise<void> {
  if (events.length === 0) return;
  await trx.raw(INSERT_AND_NOTIFY, [outboxParameter(events)]);
}
