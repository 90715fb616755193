import { z } from 'zod';
import { CONTAINER_PORT } from '@shop/contracts';

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Settings every service reads; services extend this with their own. */
export const baseConfigSchema = z.object({
  SERVICE_NAME: z.string().min(1),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(CONTAINER_PORT),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GOOGLE_CLOUD_PROJECT: z.string().optional(),
  OTEL_EXPORTER: z.enum(['none', 'otlp', 'console']).default('none'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb or 1mb').default('256kb'),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
});

export type BaseConfig = z.infer<typeof baseConfigSchema>;

/** Resolves `sm://` references; injected so tests and local runs need no Secret Manager. */
export type SecretResolver = (reference: string) => Promise<string>;

export const SECRET_PREFIX = 'sm://';

/**
 * Parses the environment against a schema. Values written as `sm://...` are first
 * resolved through Secret Manager; a bad or missing setting throws a ConfigError naming it.
 */
export async function loadConfig<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv,
  resolveSecret?: SecretResolver,
): Promise<z.infer<S>> {
  const resolved: Record<string, string | undefined> = {};
  const failures: string[] = [];
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.startsWith(SECRET_PREFIX)) {
      if (!resolveSecret) {
        failures.push(`${key}: is a Secret Manager reference but no secret resolver is configured`);
        continue;
      }
      try {
        resolved[key] = await resolveSecret(value);
      } catch (err) {
        failures.push(`${key}: secret ${value} could not be read (${(err as Error).message})`);
      }
    } else {
      resolved[key] = value;
    }
  }
  if (failures.length) throw new ConfigError(failures);
  const parsed = schema.safeParse(resolved);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return parsed.data;
}
