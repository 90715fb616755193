import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDb, DEFAULT_ADMIN_URL, ensureDatabase, runMigrationJob, withDatabase } from '@shop/kit';

const NO_MIGRATIONS = path.resolve(__dirname, '../fixtures/no-migrations');
const KIT_MIGRATIONS = ['0001_kit_outbox.sql', '0002_kit_idempotency.sql', '0003_kit_processed_events.sql'];

const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
const name = `migjob_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const url = withDatabase(adminUrl, name);

async function run(env: NodeJS.ProcessEnv): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runMigrationJob({ service: 'sample', migrationsDir: NO_MIGRATIONS, env, log: (line) => lines.push(line) });
  return { code, lines };
}

describe('migration job', () => {
  beforeAll(() => ensureDatabase(url));
  afterAll(async () => {
    const admin = createDb({ url: adminUrl, poolMax: 1 });
    try {
      await admin.raw(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.destroy();
    }
  });

  it('applies every pending migration of a fresh database, then finds nothing to do', async () => {
    const first = await run({ DATABASE_URL: url });
    expect(first).toEqual({ code: 0, lines: [`sample: applied ${KIT_MIGRATIONS.length} migration(s): ${KIT_MIGRATIONS.join(', ')}`] });

    const db = createDb({ url, poolMax: 1 });
    try {
      const rows = await db('knex_migrations').select('name').orderBy('name');
      expect(rows.map((r: { name: string }) => r.name)).toEqual(KIT_MIGRATIONS);
      const tables = await db.raw<{ rows: Array<{ table_name: string }> }>("select table_name from information_schema.tables where table_schema = 'public' and table_name = 'outbox'");
      expect(tables.rows).toHaveLength(1);
    } finally {
      await db.destroy();
    }

    expect(await run({ DATABASE_URL: url })).toEqual({ code: 0, lines: ['sample: schema already current'] });
  });

  it('exits 2 naming the setting when DATABASE_URL is missing or not a Postgres URL', async () => {
    const missing = await run({});
    expect(missing.code).toBe(2);
    expect(missing.lines.join('\n')).toMatch(/DATABASE_URL/);
    const wrong = await run({ DATABASE_URL: 'mysql://db/x' });
    expect(wrong.code).toBe(2);
    expect(wrong.lines.join('\n')).toMatch(/DATABASE_URL: must be a postgres:\/\/ URL/);
  });

  it('exits 1 with the reason when the database cannot be migrated', async () => {
    const result = await run({ DATABASE_URL: withDatabase(adminUrl, `${name}_absent`) });
    expect(result.code).toBe(1);
    expect(result.lines.join('\n')).toMatch(new RegExp(`sample: migration failed: .*${name}_absent`));
  });
});
