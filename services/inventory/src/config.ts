import { z } from 'zod';
import { baseConfigSchema } from '@shop/kit';

export const inventoryConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: z.string().default('inventory'),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(20),
  MIGRATE_ON_START: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** Memorystore; absent means the in-process cache (one instance only). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** PEM of the CA behind Memorystore's in-transit encryption (with a rediss:// REDIS_URL). */
  REDIS_CA_CERT: z.string().regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate').optional(),
  /** Pub/Sub project; absent (and no emulator) means the in-process bus. */
  PUBSUB_PROJECT_ID: z.string().optional(),
  PUBSUB_EMULATOR_HOST: z.string().optional(),
  JWKS_URL: z.url(),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  IMPORTS_BUCKET: z.string().min(3).default('shop-imports'),
  /** Local folder standing in for Cloud Storage; absent means Cloud Storage. */
  LOCAL_OBJECTS_DIR: z.string().optional(),
});

export type InventoryConfig = z.infer<typeof inventoryConfigSchema>;
