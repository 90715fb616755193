import { randomUUID } from 'node:crypto';
import {
  ACTIVITY_SOURCE,
  activityDataSchemas,
  activityEventType,
  activityShard,
  toAttributes,
  type ActivityInput,
  type ActivityKind,
  type CloudEvent,
} from '@shop/contracts';
import type { BusMessage, FieldError } from '@shop/kit';

/** How far ahead of the service's clock an event time may be (client clocks drift). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Older events are refused: a beacon retried after a day is no longer news. */
export const MAX_EVENT_AGE_MS = 24 * 60 * 60_000;

export interface Who {
  shopperId: string;
  sessionId: string;
}

export type Prepared = { ok: true; message: BusMessage; event: CloudEvent } | { ok: false; errors: FieldError[] };

/**
 * Turns one validated input into the CloudEvent published to activity-events: the shopper and
 * session from `who` (the cookie or the server's body), the time checked against `now`, the id
 * kept when the sender gave one so a retried send is recognisable downstream.
 */
export function prepare(input: ActivityInput, who: Who, now: Date, field: string): Prepared {
  const eventTime = input.eventTime ? new Date(input.eventTime) : now;
  const skew = eventTime.getTime() - now.getTime();
  if (skew > MAX_CLOCK_SKEW_MS) return { ok: false, errors: [{ field: `${field}.eventTime`, message: 'is in the future' }] };
  if (-skew > MAX_EVENT_AGE_MS) return { ok: false, errors: [{ field: `${field}.eventTime`, message: 'is more than a day old' }] };
  const { type, eventId, eventTime: _time, shopperId: _shopper, sessionId: _session, ...specific } = input;
  const kind: ActivityKind = type;
  const parsed = activityDataSchemas[kind].safeParse({ ...specific, shopperId: who.shopperId, sessionId: who.sessionId, eventTime: eventTime.toISOString() });
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.map((i) => ({ field: [field, ...i.path.map(String)].join('.'), message: i.message })) };
  }
  const data = parsed.data;
  const event: CloudEvent = {
    id: eventId ?? randomUUID(),
    type: activityEventType(kind),
    source: ACTIVITY_SOURCE,
    subject: 'productId' in data ? data.productId : who.shopperId,
    time: data.eventTime,
    data,
  };
  return {
    ok: true,
    event,
    message: { data: Buffer.from(JSON.stringify(data)), attributes: toAttributes(event, { shard: String(activityShard(who.shopperId)) }) },
  };
}
