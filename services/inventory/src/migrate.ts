import { createSecretManagerResolver, runMigrationJob } from '@shop/kit';
import { INVENTORY_MIGRATIONS_DIR } from './app';

/** The inventory database's migrations, run by the deployment's PreSync Job from this image. */
runMigrationJob({
  service: 'inventory',
  migrationsDir: INVENTORY_MIGRATIONS_DIR,
  env: process.env,
  resolveSecret: createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('inventory migration failed:', err);
    process.exit(1);
  },
);
