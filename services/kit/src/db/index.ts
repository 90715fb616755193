import knexFactory, { type Knex } from 'knex';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export type { Knex } from 'knex';

export interface DbOptions {
  url: string;
  poolMax?: number;
  applicationName?: string;
}

export function createDb(options: DbOptions): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: options.url, application_name: options.applicationName ?? 'shop' },
    pool: { min: 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: 10_000,
  });
}

interface SqlMigration {
  name: string;
  file: string;
}

/** The kit's own tables (outbox, idempotency keys) live in every service database. */
export const KIT_MIGRATIONS_DIR = path.resolve(__dirname, '../../migrations');

/**
 * Migrations are plain .sql files, the kit's (named 00xx_) and the service's (named 01xx_ and up),
 * applied together in name order.
 */
class SqlMigrationSource implements Knex.MigrationSource<SqlMigration> {
  constructor(private readonly dirs: string[]) {}

  async getMigrations(): Promise<SqlMigration[]> {
    const all: SqlMigration[] = [];
    for (const dir of this.dirs) {
      const files = (await readdir(dir)).filter((f) => f.endsWith('.sql'));
      all.push(...files.map((f) => ({ name: f, file: path.join(dir, f) })));
    }
    return all.sort((a, b) => a.name.localeCompare(b.name));
  }

  getMigrationName(migration: SqlMigration): string {
    return migration.name;
  }

  getMigration(migration: SqlMigration): Promise<Knex.Migration> {
    return Promise.resolve({
      up: async (knex: Knex) => {
        await knex.raw(await readFile(migration.file, 'utf8'));
      },
      down: () => Promise.reject(new Error(`${migration.name}: migrations are forward-only`)),
    });
  }
}

export async function migrate(db: Knex, migrationsDir: string): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({ migrationSource: new SqlMigrationSource([KIT_MIGRATIONS_DIR, migrationsDir]) })) as [number, string[]];
  return applied;
}

export async function pingDb(db: Knex): Promise<void> {
  await db.raw('select 1');
}

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** The same server URL, pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  url: string;
  db: Knex;
  drop(): Promise<void>;
}

/**
 * A throwaway database for one test file, migrated. The admin URL comes from
 * TEST_DATABASE_ADMIN_URL, defaulting to the machine's Postgres.
 */
export async function createTestDatabase(migrationsDir: string, prefix = 'test'): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = createDb({ url: adminUrl, poolMax: 1 });
  try {
    await admin.raw(`create database "${name}"`);
  } finally {
    await admin.destroy();
  }
  const url = withDatabase(adminUrl, name);
  const db = createDb({ url, poolMax: 20 });
  await migrate(db, migrationsDir);
  return {
    url,
    db,
    drop: async () => {
      await db.destroy();
      const cleanup = createDb({ url: adminUrl, poolMax: 1 });
      try {
        await cleanup.raw(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.destroy();
      }
    },
  };
}

/** Creates the database named in `url` if it does not exist yet (local platform start-up). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  const admin = createDb({ url: withDatabase(url, 'postgres'), poolMax: 1 });
  try {
    const found = await admin.raw<{ rowCount: number }>('select 1 from pg_database where datname = ?', [name]);
    if (found.rowCount === 0) await admin.raw(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.destroy();
  }
}
