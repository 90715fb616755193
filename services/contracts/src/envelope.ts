import { z } from 'zod';

/**
 * CloudEvents 1.0 in Pub/Sub binary mode: context attributes travel as message
 * attributes named `ce-<attr>`, the event data is the JSON message body.
 */
export const CE_SPEC_VERSION = '1.0';

export interface CloudEvent<T = unknown> {
  id: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  data: T;
}

export const cloudEventAttributesSchema = z.object({
  'ce-id': z.string().min(1),
  'ce-type': z.string().regex(/^[a-z]+\.[a-z_]+$/, 'must be <domain>.<past_tense>'),
  'ce-source': z.string().min(1),
  'ce-specversion': z.literal(CE_SPEC_VERSION),
  'ce-subject': z.string().min(1),
  'ce-time': z.iso.datetime({ offset: true }),
});

export type CloudEventAttributes = z.infer<typeof cloudEventAttributesSchema>;

export function toAttributes(event: CloudEvent, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...extra,
    'ce-id': event.id,
    'ce-type': event.type,
    'ce-source': event.source,
    'ce-specversion': CE_SPEC_VERSION,
    'ce-subject': event.subject,
    'ce-time': event.time,
    'content-type': 'application/json',
  };
}

export function fromMessage(attributes: Record<string, string>, data: Buffer | string): CloudEvent {
  const attrs = cloudEventAttributesSchema.parse(attributes);
  const text = typeof data === 'string' ? data : data.toString('utf8');
  return {
    id: attrs['ce-id'],
    type: attrs['ce-type'],
    source: attrs['ce-source'],
    subject: attrs['ce-subject'],
    time: attrs['ce-time'],
    data: JSON.parse(text) as unknown,
  };
}
