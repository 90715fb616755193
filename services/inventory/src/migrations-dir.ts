import path from 'node:path';

/** The inventory database's migrations (with the kit's, applied by `migrate`). */
export const INVENTORY_MIGRATIONS_DIR = path.resolve(__dirname, '../migrations');
