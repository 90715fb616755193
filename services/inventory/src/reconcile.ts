import { createDb } from '@shop/kit';
import { findDrift } from './store/ledger';

/**
 * Reconciliation: compares stored stock levels with the projection of the ledger and
 * reports every difference. Exit code 0 when they agree, 1 on drift, 2 when it cannot run.
 */
async function main(): Promise<number> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL: required (the inventory database to reconcile)');
    return 2;
  }
  const db = createDb({ url, poolMax: 1, applicationName: 'inventory-reconcile' });
  try {
    const drift = await findDrift(db);
    if (!drift.length) {
      console.log('stock levels match the ledger: no drift');
      return 0;
    }
    console.log(`drift found in ${drift.length} field(s):`);
    for (const d of drift) console.log(`  ${d.sku} @ ${d.warehouseId} ${d.field}: stored ${d.stored}, ledger ${d.ledger}`);
    return 1;
  } finally {
    await db.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('reconciliation failed:', err);
    process.exit(2);
  },
);
