import { z } from 'zod';
import { baseConfigSchema, databaseSettings, objectSettings, pubsubSettings, redisSettings, tokenSettings } from '@shop/kit';

export const inventoryConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: z.string().default('inventory'),
  ...databaseSettings,
  ...redisSettings,
  ...pubsubSettings,
  ...tokenSettings,
  ...objectSettings,
});

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;
