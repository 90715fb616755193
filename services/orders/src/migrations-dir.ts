import path from 'node:path';

/** The orders database's migrations (with the kit's, applied by `migrate`). */
export const ORDERS_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');
