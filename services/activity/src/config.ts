import { z } from 'zod';
import { baseConfigSchema, pubsubSettings, redisSettings, tokenSettings } from '@shop/kit';

export const activityConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: z.string().default('activity'),
  ...redisSettings,
  ...pubsubSettings,
  ...tokenSettings,
  /** Verifies the storefront's signed shopper and session cookies on beacons. */
  STOREFRONT_COOKIE_KEY: z.string().min(32, 'must be at least 32 characters'),
  /** Beacon requests one client may send per minute. */
  BEACON_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(600),
});

export type ActivityConfig = z.infer<typeof activityConfigSchema>;
