import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, portOpen } from '../../kit/test-support/ports';
import { READY_LINE } from '../src/banner';
import { DEMO_WAREHOUSES, demoStock } from '../src/seed';

// Runs the built entry point (npm test runs `tsc -b` first), exactly as `npm start` does.
const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(REPO_ROOT, 'services', 'local', 'dist', 'main.js');
const STARTUP_TIMEOUT_MS = 45_000;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Platform {
  child: ChildProcess;
  output: () => string;
  exited: Promise<Exit>;
  hub: string;
  inventory: string;
  catalog: string;
  storefront: string;
  postgresPort: number;
}


async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}


async function getJson<T>(url: string, token?: string): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

let dataDir: string;
let platform: Platform;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'local-platform-'));
  // Started as root, Postgres runs as an unprivileged account, which must be able to enter this folder.
  await chmod(dataDir, 0o755);
  const [hubPort, inventoryPort, postgresPort, storefrontPort, catalogPort, ordersPort, activityPort] = (await distinctFreePorts(7)) as [number, number, number, number, number, number, number];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOCAL_DATA_DIR: dataDir,
    LOCAL_PORT: String(hubPort),
    INVENTORY_PORT: String(inventoryPort),
    LOCAL_PG_PORT: String(postgresPort),
    STOREFRONT_PORT: String(storefrontPort),
    CATALOG_PORT: String(catalogPort),
    ORDERS_PORT: String(ordersPort),
    ACTIVITY_PORT: String(activityPort),
    LOG_LEVEL: 'warn',
  };
  // The embedded defaults are what is under test, whatever the surrounding run provides.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.PUBSUB_EMULATOR_HOST;

  const child = spawn(process.execPath, [MAIN], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  platform = {
    child,
    output: () => output,
    exited,
    hub: `http://127.0.0.1:${hubPort}`,
    inventory: `http://127.0.0.1:${inventoryPort}`,
    catalog: `http://127.0.0.1:${catalogPort}`,
    storefront: `http://127.0.0.1:${storefrontPort}`,
    postgresPort,
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let exit: Exit | undefined;
  void exited.then((e) => (exit = e));
  while (!output.includes('Stop with Ctrl-C')) {
    if (exit) throw new Error(`the platform exited (code ${exit.code}) before it was ready:\n${output}`);
    if (Date.now() > deadline) throw new Error(`no banner within ${STARTUP_TIMEOUT_MS} ms:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, STARTUP_TIMEOUT_MS + 10_000);

afterAll(async () => {
  if (platform && platform.child.exitCode === null && platform.child.signalCode === null) {
    platform.child.kill('SIGKILL');
    await platform.exited;
  }
  // A platform killed mid-test must not leave its Postgres behind.
  const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    try {
      if (pid > 0) process.kill(pid, 'SIGQUIT');
    } catch {
      // Already gone.
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

test('prints a banner with every part and two development tokens', () => {
  const output = platform.output();
  expect(output).toContain(READY_LINE);
  for (const location of [`${platform.hub}/`, `${platform.inventory}/v1`, `${platform.inventory}/openapi.json`, `${platform.inventory}/docs`]) {
    expect(output).toContain(location);
  }
  expect(output).toContain(`postgres://postgres:postgres@127.0.0.1:${platform.postgresPort}/postgres`);
  expect(output).toContain(`${platform.storefront}/`);
  expect(output).toMatch(/Demo data: 3 warehouses .* and 30 SKUs in \d+ receipts; 7 categories and 9 products \(30 variants\) through the CSV import/);
  expect(output).toMatch(/operator at berlin-1 \(warehouse user\):\s+eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  expect(output).toMatch(/admin, all warehouses:\s+eyJ[\w-]+\.[\w-]+\.[\w-]+/);
});

test('the hub lists the parts of the platform', async () => {
  const { status, body } = await getJson<{ parts: Array<{ name: string; location: string }> }>(`${platform.hub}/`);
  expect(status).toBe(200);
  const byName = new Map(body.parts.map((p) => [p.name, p.location]));
  expect(byName.get('Inventory API')).toBe(`${platform.inventory}/v1`);
  expect(byName.get('OpenAPI document')).toBe(`${platform.inventory}/openapi.json`);
  expect(byName.get('API docs')).toBe(`${platform.inventory}/docs`);
  expect(byName.get('Token keys (JWKS)')).toBe(`${platform.hub}/.well-known/jwks.json`);
  expect(byName.get('Postgres')).toContain(`127.0.0.1:${platform.postgresPort}`);

  const page = await fetch(`${platform.hub}/`, { headers: { accept: 'text/html' } });
  expect(page.headers.get('content-type')).toContain('text/html');
  expect(await page.text()).toContain(`${platform.inventory}/openapi.json`);
});

test('a development token from the hub reads the availability of a seeded SKU', async () => {
  const warehouse = DEMO_WAREHOUSES[0]!.id;
  const line = demoStock().find((l) => l.warehouseId === warehouse)!;
  const issued = await getJson<{ token: string; roles: string[]; warehouses: string[] }>(`${platform.hub}/dev/token?role=operator&warehouses=${warehouse}`);
  expect(issued.status).toBe(200);
  expect(issued.body).toMatchObject({ roles: ['operator'], warehouses: [warehouse] });

  const { status, body } = await getJson<{ items: Array<{ sku: string; available: number }> }>(
    `${platform.inventory}/v1/availability?skus=${line.sku}`,
    issued.body.token,
  );
  expect(status).toBe(200);
  expect(body.items).toEqual([expect.objectContaining({ sku: line.sku })]);
  expect(body.items[0]!.available).toBeGreaterThan(0);

  const unauthenticated = await fetch(`${platform.inventory}/v1/availability?skus=${line.sku}`);
  expect(unauthenticated.status).toBe(401);
  const badRole = await fetch(`${platform.hub}/dev/token?role=owner`);
  expect(badRole.status).toBe(400);
});

test('the storefront origin serves the seeded shop, its images and the activity beacon', async () => {
  const home = await fetch(`${platform.storefront}/`);
  expect(home.status).toBe(200);
  expect(await home.text()).toContain('Classic Tee');
  // Stock reaches the catalog as inventory events, after the seed: the product page shows it.
  const product = await fetch(`${platform.storefront}/p/classic-tee`);
  expect(product.status).toBe(200);
  expect(await product.text()).toMatch(/In stock/);
  const search = await fetch(`${platform.storefront}/search?q=hoodei`);
  expect(await search.text()).toContain('Everyday Hoodie');
  const image = await fetch(`${platform.storefront}/assets/products/classic-tee.svg`);
  expect(image.status).toBe(200);
  expect(image.headers.get('content-type')).toBe('image/svg+xml');
  const { body } = await getJson<{ id: string }>(`${platform.catalog}/v1/products/classic-tee`);
  const beacon = await fetch(`${platform.storefront}/beacon`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ type: 'product_viewed', productId: body.id }) });
  expect(beacon.status).toBe(202);
  expect(beacon.headers.getSetCookie().some((c) => c.startsWith('sid='))).toBe(true);

  // The view reaches the analytics page through the streaming job, the DuckDB warehouse and the analysts' views.
  const deadline = Date.now() + 30_000;
  let page = '';
  while (!/Classic Tee<\/text>.*?1 views/s.test(page)) {
    if (Date.now() > deadline) throw new Error(`the view never reached the analytics page:\n${page.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const res = await fetch(`${platform.hub}/analytics`);
    expect(res.status).toBe(200);
    page = await res.text();
  }
  expect(page).toContain('Current stock by warehouse');
}, 45_000);

test('the inventory OpenAPI document is served', async () => {
  const { status, body } = await getJson<{ openapi: string; paths: Record<string, unknown> }>(`${platform.inventory}/openapi.json`);
  expect(status).toBe(200);
  expect(body.openapi).toMatch(/^3\./);
  expect(Object.keys(body.paths)).toEqual(expect.arrayContaining(['/v1/availability', '/v1/stock/receive', '/v1/warehouses']));
});

test('SIGTERM drains, stops Postgres and exits 0', async () => {
  platform.child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const exit = await Promise.race([
    platform.exited,
    new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no exit within 30 s:\n${platform.output()}`)), 30_000);
    }),
  ]).finally(() => clearTimeout(timer));
  expect(exit).toEqual({ code: 0, signal: null });
  expect(await portOpen(platform.postgresPort)).toBe(false);
  expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  expect(await portOpen(Number(new URL(platform.inventory).port))).toBe(false);
  expect(await portOpen(Number(new URL(platform.hub).port))).toBe(false);
  expect(await portOpen(Number(new URL(platform.storefront).port))).toBe(false);
  expect(await portOpen(Number(new URL(platform.catalog).port))).toBe(false);
}, 40_000);
