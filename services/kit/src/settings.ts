import { z } from 'zod';
import { createRedisCache } from './cache/redis-cache';
import { MemoryCache } from './cache/memory-cache';
import type { Cache } from './cache/types';
import { createTokenVerifier, GOOGLE_ID_TOKEN_ISSUER, GOOGLE_ID_TOKEN_JWKS, parseTrustedWorkloads, type TokenVerifier } from './auth/verifier';
import { MemoryBus } from './events/memory-bus';
import { PubSubBus } from './events/pubsub-bus';
import type { EventBus } from './events/types';
import type { Logger } from './logger';

/**
 * Setting groups services share, so every service reads a setting under the same name with the
 * same rules, and the adapters they select. A service's schema is
 * `baseConfigSchema.extend({ ...databaseSettings, ...redisSettings, ... })`.
 */

const flag = (fallback: 'true' | 'false') => z.enum(['true', 'false']).default(fallback).transform((v) => v === 'true');

export const databaseSettings = {
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(20),
  MIGRATE_ON_START: flag('false'),
};

export const redisSettings = {
  /** Memorystore; absent means the in-process cache (one instance only). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL').optional(),
  /** PEM of the CA behind Memorystore's in-transit encryption (with a rediss:// REDIS_URL). */
  REDIS_CA_CERT: z.string().regex(/-----BEGIN CERTIFICATE-----/, 'must be a PEM certificate').optional(),
};

export const pubsubSettings = {
  /** Pub/Sub project; absent (and no emulator) means the in-process bus. */
  PUBSUB_PROJECT_ID: z.string().optional(),
  PUBSUB_EMULATOR_HOST: z.string().optional(),
};

const trustedWorkloads = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (!value) return {};
    try {
      return parseTrustedWorkloads(value);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

export const tokenSettings = {
  JWKS_URL: z.url(),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  /** Workloads allowed to call with Google ID tokens for this service's name: `email=role[+role],…`. */
  TRUSTED_WORKLOADS: trustedWorkloads,
};

export const objectSettings = {
  IMPORTS_BUCKET: z.string().min(3).default('shop-imports'),
  /** Local folder standing in for Cloud Storage; absent means Cloud Storage. */
  LOCAL_OBJECTS_DIR: z.string().optional(),
};

type RedisConfig = { REDIS_URL?: string | undefined; REDIS_CA_CERT?: string | undefined };
type PubSubConfig = { PUBSUB_PROJECT_ID?: string | undefined; PUBSUB_EMULATOR_HOST?: string | undefined; GOOGLE_CLOUD_PROJECT?: string | undefined };
type TokenConfig = { SERVICE_NAME: string; JWKS_URL: string; JWT_ISSUER: string; JWT_AUDIENCE: string; TRUSTED_WORKLOADS: Record<string, string[]> };

/** Memorystore when REDIS_URL is set, else the in-process cache. */
export async function openCache(config: RedisConfig, logger: Logger): Promise<Cache> {
  return config.REDIS_URL ? createRedisCache({ url: config.REDIS_URL, caCert: config.REDIS_CA_CERT, logger }) : new MemoryCache({ logger });
}

/** Pub/Sub when a project or the emulator is configured (creating topics on the emulator only), else the in-process bus. */
export function openBus(config: PubSubConfig, logger: Logger): EventBus {
  const project = config.PUBSUB_PROJECT_ID ?? config.GOOGLE_CLOUD_PROJECT;
  if (project || config.PUBSUB_EMULATOR_HOST) {
    return new PubSubBus({ projectId: project ?? 'local', logger, autoCreate: Boolean(config.PUBSUB_EMULATOR_HOST) });
  }
  return new MemoryBus({ logger });
}

/** Staff and integration tokens from the identity provider, plus trusted workloads' Google ID tokens. */
export function tokenVerifierFrom(config: TokenConfig): TokenVerifier {
  const trusted = Object.keys(config.TRUSTED_WORKLOADS).length > 0;
  return createTokenVerifier({
    jwks: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    workloads: trusted ? { jwks: GOOGLE_ID_TOKEN_JWKS, issuer: GOOGLE_ID_TOKEN_ISSUER, audience: config.SERVICE_NAME, accounts: config.TRUSTED_WORKLOADS } : undefined,
  });
}
