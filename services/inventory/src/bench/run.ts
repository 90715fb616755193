import http from 'node:http';
import path from 'node:path';
import { Pool } from 'pg';
import { INVENTORY_MIGRATIONS_DIR } from '../app';
import { findDrift } from '../store/ledger';
import { BARE_EXPRESS_SCRIPT, createDevIssuer, createTestDatabase, formatRow, measure, median, startBenchProcess, type Measurement, type TestDatabase } from '@shop/kit';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
// Baseline and API alternate for several rounds and the median round counts, so a noisy moment on a shared machine does not decide the ratio.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const SPREAD_SKUS = 10_000;
const ISSUER = 'https://identity.bench/';
const AUDIENCE = 'inventory';

async function startJwks(jwks: object): Promise<{ url: string; close(): void }> {
  const server = http.createServer((_req, res) => res.end(JSON.stringify(jwks)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/jwks.json`, close: () => server.close() };
}

/** Seeds stock straight in SQL, with the matching ledger entries so the ledger invariant holds. */
async function seed(database: TestDatabase): Promise<void> {
  const db = database.db;
  await db('warehouses').insert({ id: 'bench', name: 'Bench', priority: 1 });
  await db.raw(`insert into stock_levels (sku, warehouse_id, on_hand) values ('HOT-SKU', 'bench', 100000000)`);
  await db.raw(`insert into stock_levels (sku, warehouse_id, on_hand) select 'SKU-' || g, 'bench', 1000000 from generate_series(1, ?) g`, [SPREAD_SKUS]);
  await db.raw(`insert into ledger (movement_id, sku, warehouse_id, kind, actor, d_on_hand, before, after)
                select gen_random_uuid(), sku, warehouse_id, 'receive', 'bench', on_hand, '{}'::jsonb, '{}'::jsonb from stock_levels`);
  await db.raw(`create table bench_raw (sku text primary key, on_hand int not null, reserved int not null default 0 check (reserved <= on_hand))`);
  await db.raw(`insert into bench_raw (sku, on_hand) values ('HOT-SKU', 100000000)`);
  await db.raw(`insert into bench_raw (sku, on_hand) select 'SKU-' || g, 1000000 from generate_series(1, ?) g`, [SPREAD_SKUS]);
}

async function main(): Promise<void> {
  const database = await createTestDatabase(INVENTORY_MIGRATIONS_DIR, 'bench');
  await seed(database);
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const jwks = await startJwks(issuer.jwks);
  const token = await issuer.sign({ subject: 'bench', roles: ['service'], warehouses: ['*'] });
  const service = await startBenchProcess(path.resolve(__dirname, '../main.js'), { DATABASE_URL: database.url, JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOCAL_OBJECTS_DIR: '/tmp', DATABASE_POOL_MAX: '20' });
  const bare = await startBenchProcess(BARE_EXPRESS_SCRIPT, {});
  const pool = new Pool({ connectionString: database.url, max: CONCURRENCY });
  const randomSku = () => `SKU-${1 + Math.floor(Math.random() * SPREAD_SKUS)}`;
  const raw = (sku: () => string) => async () => {
    const r = await pool.query('update bench_raw set reserved = reserved + 1 where sku = $1 and on_hand - reserved >= 1', [sku()]);
    return r.rowCount === 1;
  };
  // A keep-alive agent with one socket per client, as a load balancer would hold them.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(`${service.url}/v1/reservations`);
  const post = (url: URL) => (sku: () => string) => (worker: number, i: number) =>
    new Promise<boolean>((resolve, reject) => {
      const body = JSON.stringify({ reference: `bench-${worker}-${i}`, lines: [{ sku: sku(), quantity: 1 }] });
      const req = http.request(
        { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 201));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const api = post(target);
  const bareExpress = post(new URL(`${bare.url}/v1/reservations`));

  console.log(`inventory reservations: ${CONCURRENCY} concurrent clients, ${SECONDS} s per measurement, median of ${ROUNDS} alternating rounds, Postgres ${database.url.replace(/\/[^/]*$/, '/…')}`);
  // Warm-up so connection pools, JIT and token verification caches are hot in both paths.
  await measure('warm-up', 2, 8, api(randomSku));
  await measure('warm-up', 2, 8, raw(randomSku));
  const ceiling = await measure('HTTP ceiling: bare Express JSON POST, no I/O', SECONDS, CONCURRENCY, bareExpress(randomSku));
  console.log(formatRow(ceiling));
  const rows: Array<[Measurement, Measurement]> = [];
  for (const [label, sku] of [['hot SKU', () => 'HOT-SKU'], [`spread over ${SPREAD_SKUS} SKUs`, randomSku]] as const) {
    const baselines: Measurement[] = [];
    const viaApis: Measurement[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      baselines.push(await measure(`baseline: raw conditional UPDATE, ${label}`, SECONDS, CONCURRENCY, raw(sku)));
      viaApis.push(await measure(`HTTP API reservation, ${label}`, SECONDS, CONCURRENCY, api(sku)));
    }
    const baseline = median(baselines);
    const viaApi = median(viaApis);
    rows.push([baseline, viaApi]);
    console.log(formatRow(baseline));
    console.log(formatRow(viaApi));
  }
  console.log('');
  for (const [baseline, viaApi] of rows) {
    console.log(
      `ratio ${viaApi.name.replace('HTTP API reservation, ', '').padEnd(26)} API / raw UPDATE = ${(viaApi.opsPerSecond / baseline.opsPerSecond).toFixed(2)}x` +
        `   API / bare Express = ${(viaApi.opsPerSecond / ceiling.opsPerSecond).toFixed(2)}x`,
    );
  }
  const drift = await findDrift(database.db);
  console.log(`ledger invariant after the run: ${drift.length ? `${drift.length} drifting fields` : 'stored levels equal the ledger projection'}`);
  agent.destroy();
  service.stop();
  bare.stop();
  jwks.close();
  await pool.end();
  await database.drop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
