import type { DeadLetter, RawMessage, RowValues } from './message';

/** Why a message was rejected; the reason column starts with one of these. */
export const REJECTIONS = {
  unknownTopic: 'unknown_topic',
  invalidAttributes: 'invalid_attributes',
  unknownEventType: 'unknown_event_type',
  malformedJson: 'malformed_json',
  invalidData: 'invalid_data',
  futureEventTime: 'future_event_time',
  tooLate: 'later_than_allowed_lateness',
} as const;

export type Rejection = (typeof REJECTIONS)[keyof typeof REJECTIONS];

/** Name of the transform that parses and validates every message. */
export const PARSE_TRANSFORM = 'parse';

const MAX_DETAIL = 300;

export interface KnownContext {
  eventId?: string | undefined;
  eventType?: string | undefined;
  eventTime?: string | undefined;
}

/** The dead letter of a message: the reason code, a detail for people, and the message as received. */
export function deadLetterOf(message: RawMessage, transform: string, rejection: Rejection, detail: string, known: KnownContext = {}): DeadLetter {
  return {
    receivedAt: new Date(Date.parse(message.receivedAt)).toISOString(),
    transform,
    reason: detail ? `${rejection}: ${detail.slice(0, MAX_DETAIL)}` : rejection,
    sourceTopic: message.topic,
    messageId: message.messageId,
    eventId: known.eventId ?? null,
    eventType: known.eventType ?? null,
    eventTime: known.eventTime ?? null,
    rawPayload: message.data,
    rawAttributes: { ...message.attributes },
  };
}

/** The dead_letter row of a dead letter. */
export function deadLetterRow(letter: DeadLetter): RowValues {
  return {
    received_at: letter.receivedAt,
    transform: letter.transform,
    reason: letter.reason,
    source_topic: letter.sourceTopic,
    message_id: letter.messageId,
    event_id: letter.eventId,
    event_type: letter.eventType,
    event_time: letter.eventTime,
    raw_payload: letter.rawPayload,
    raw_attributes: JSON.stringify(letter.rawAttributes),
  };
}
