import path from 'node:path';
import { z } from 'zod';
import { baseConfigSchema, loadConfig } from '@shop/kit';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

/** Settings of the one-machine platform; every one has an embedded default. */
export const localConfigSchema = z.object({
  // Quiet by default so the banner is not buried under request logs; LOG_LEVEL=info shows them.
  LOG_LEVEL: baseConfigSchema.shape.LOG_LEVEL.unwrap().default('warn'),
  LOCAL_PORT: port(8080),
  STOREFRONT_PORT: port(8000),
  INVENTORY_PORT: port(8081),
  CATALOG_PORT: port(8082),
  ORDERS_PORT: port(8083),
  ACTIVITY_PORT: port(8084),
  LOCAL_PG_PORT: port(54329),
  LOCAL_DATA_DIR: z.string().min(1).optional(),
  LOCAL_SEED: z.enum(['true', 'false']).default('true'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
  PUBSUB_EMULATOR_HOST: z.string().regex(/^[\w.-]+:\d{1,5}$/, 'must look like host:port').optional(),
  GOOGLE_CLOUD_PROJECT: z.string().min(1).default('shop-local'),
});

export interface LocalConfig {
  logLevel: string;
  /** Everything binds to loopback: the hub hands out tokens to whoever asks. */
  host: string;
  ports: { hub: number; storefront: number; inventory: number; catalog: number; orders: number; activity: number };
  postgresPort: number;
  dataDir: string;
  seed: boolean;
  /** A Postgres server to use instead of the embedded one; each service gets its database on it. */
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  pubsubEmulatorHost: string | undefined;
  projectId: string;
}

/** The repository root, three levels above services/local/dist (and services/local/src). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

export async function loadLocalConfig(env: NodeJS.ProcessEnv): Promise<LocalConfig> {
  // An exported-but-empty variable means "not set" in shells, not "set to nothing".
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const raw = await loadConfig(localConfigSchema, present);
  return {
    logLevel: raw.LOG_LEVEL,
    host: '127.0.0.1',
    ports: { hub: raw.LOCAL_PORT, storefront: raw.STOREFRONT_PORT, inventory: raw.INVENTORY_PORT, catalog: raw.CATALOG_PORT, orders: raw.ORDERS_PORT, activity: raw.ACTIVITY_PORT },
    postgresPort: raw.LOCAL_PG_PORT,
    dataDir: path.resolve(raw.LOCAL_DATA_DIR ?? path.join(REPO_ROOT, '.local')),
    seed: raw.LOCAL_SEED === 'true',
    databaseUrl: raw.DATABASE_URL,
    redisUrl: raw.REDIS_URL,
    pubsubEmulatorHost: raw.PUBSUB_EMULATOR_HOST,
    projectId: raw.GOOGLE_CLOUD_PROJECT,
  };
}
