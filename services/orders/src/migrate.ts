import { createSecretManagerResolver, runMigrationJob } from '@shop/kit';
// Only the migrations folder: the Job needs none of the HTTP app.
import { ORDERS_MIGRATIONS_DIR } from './migrations-dir';

/** The orders database's migrations, run by the deployment's PreSync Job from this image. */
runMigrationJob({
  service: 'orders',
  migrationsDir: ORDERS_MIGRATIONS_DIR,
  env: process.env,
  resolveSecret: createSecretManagerResolver({ projectId: process.env.GOOGLE_CLOUD_PROJECT }),
}).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('orders migration failed:', err);
    process.exit(1);
  },
);
