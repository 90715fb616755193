import { z } from 'zod';
import type { ActivityInput } from '@shop/contracts';
import type { ServiceClient } from '@shop/kit';

const acceptedSchema = z.object({ accepted: z.number().int() });

/** The activity service's server-side intake (`POST /v1/activity`, service token). */
export class ActivityApi {
  constructor(private readonly client: ServiceClient) {}

  async send(events: ActivityInput[]): Promise<void> {
    // Every event carries its eventId, so the activity service recognises a retried batch.
    await this.client.post('/v1/activity', { events }, acceptedSchema, { idempotencyKey: events[0]?.eventId });
  }
}
