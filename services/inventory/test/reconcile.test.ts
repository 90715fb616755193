import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { seed, startHarness, type Harness } from './support';

const RECONCILE = path.resolve(__dirname, '../dist/reconcile.js');
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await seed(h, [{ id: 'rc', priority: 1 }], [{ warehouseId: 'rc', sku: 'RC-1', quantity: 9 }]);
});

afterAll(async () => {
  await h.close();
});

const reconcile = () => spawnSync(process.execPath, [RECONCILE], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: h.database.url }, encoding: 'utf8' });

it('reports no drift while levels equal the ledger, and names the field when a level is changed behind the ledger\'s back', async () => {
  const clean = reconcile();
  expect(clean.status).toBe(0);
  expect(clean.stdout).toContain('no drift');

  await h.database.db('stock_levels').where({ sku: 'RC-1', warehouse_id: 'rc' }).update({ on_hand: 12 });
  const drifted = reconcile();
  expect(drifted.status).toBe(1);
  expect(drifted.stdout).toContain('RC-1 @ rc onHand: stored 12, ledger 9');
});

it('refuses to run without DATABASE_URL, naming it', () => {
  const run = spawnSync(process.execPath, [RECONCILE], { env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' });
  expect(run.status).toBe(2);
  expect(run.stderr).toContain('DATABASE_URL');
});
