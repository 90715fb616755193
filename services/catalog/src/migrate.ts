import { createSecretManagerResolver, runMigrationJob } from '@shop/kit';
// Only the migrations folder: the Job needs none of the HTTP app.
import { CATALOG_MIGRATIONS_DIR } from './migrations-dir';

/** The catalog database's migrations, run by the deployment's PreSync Job from this image. */
runMigrationJob({
  service: 'catalog',
  migrationsDir: CATALOG_MIGRATIONS_DIR,
  env: process.env,
  resolveSecret: createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('catalog migration failed:', err);
    process.exit(1);
  },
);
