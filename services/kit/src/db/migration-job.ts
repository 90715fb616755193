import { z } from 'zod';
import { ConfigError, loadConfig, type SecretResolver } from '../config';
import { createDb, migrate } from './index';

const migrationJobSchema = z.object({
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
});

export interface MigrationJobOptions {
  service: string;
  migrationsDir: string;
  env: NodeJS.ProcessEnv;
  resolveSecret?: SecretResolver;
  /** Where progress lines go (the Job's log). */
  log?: (line: string) => void;
}

/**
 * A service's schema migration as a one-shot command (the deployment's PreSync Job runs it from
 * the service's own image, so code and schema ship together). Exit codes: 0 migrated or already
 * current, 1 the migration failed, 2 bad configuration.
 */
export async function runMigrationJob(options: MigrationJobOptions): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line));
  let url: string;
  try {
    ({ DATABASE_URL: url } = await loadConfig(migrationJobSchema, options.env, options.resolveSecret));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    log(err.message);
    return 2;
  }
  const db = createDb({ url, poolMax: 1, applicationName: `${options.service}-migrate` });
  try {
    const applied = await migrate(db, options.migrationsDir);
    log(applied.length ? `${options.service}: applied ${applied.length} migration(s): ${applied.join(', ')}` : `${options.service}: schema already current`);
    return 0;
  } catch (err) {
    log(`${options.service}: migration failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await db.destroy();
  }
}
