import path from 'node:path';

/** The catalog database's migrations (with the kit's, applied by `migrate`). */
export const CATALOG_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');
