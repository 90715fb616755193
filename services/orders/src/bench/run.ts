import http from 'node:http';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { skuPriceListSchema, TEST_CARDS, type SkuPrice } from '@shop/contracts';
import { BARE_EXPRESS_SCRIPT, createDevIssuer, createTestDatabase, formatRow, measure, median, startBenchProcess, type Measurement, type TestDatabase } from '@shop/kit';
import { ORDERS_MIGRATIONS_DIR } from '../migrations-dir';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
// Baseline and checkout alternate for several rounds and the median round counts, so a noisy moment on a shared machine does not decide the ratio.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PRODUCTS = 100;
const VARIANTS = 10;
const LINES_PER_CART = 2;
/** Carts ready to check out; more than the fastest run can use. */
const CARTS = Number(process.env.BENCH_CARTS ?? 40_000);
const ISSUER = 'https://identity.bench/';
const AUDIENCE = 'shop-platform';

// The other services' builds and migrations, as `npm run bench` (tsc -b) leaves them.
const SERVICES_DIR = path.resolve(__dirname, '../../..');
const INVENTORY = { main: path.join(SERVICES_DIR, 'inventory/dist/main.js'), migrations: path.join(SERVICES_DIR, 'inventory/migrations') };
const CATALOG = { main: path.join(SERVICES_DIR, 'catalog/dist/main.js'), migrations: path.join(SERVICES_DIR, 'catalog/migrations') };
const ORDERS_MAIN = path.resolve(__dirname, 'orders-process.js');

async function startJwks(jwks: object): Promise<{ url: string; close(): void }> {
  const server = http.createServer((_req, res) => res.end(JSON.stringify(jwks)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/jwks.json`, close: () => server.close() };
}

const skuOf = (product: number, variant: number) => `BENCH-${product}-${variant}`;

/** Products through the catalog's admin API, as merchants create them. */
async function seedCatalog(url: string, adminToken: string): Promise<void> {
  for (let p = 0; p < PRODUCTS; p++) {
    const res = await fetch(`${url}/v1/admin/products`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        slug: `bench-product-${p}`,
        name: `Bench product ${p}`,
        status: 'active',
        currency: 'EUR',
        variants: Array.from({ length: VARIANTS }, (_, v) => ({ sku: skuOf(p, v), priceMinor: 1_000 + p * 10 + v, options: { size: `S${v}` } })),
      }),
    });
    if (res.status !== 201) throw new Error(`product ${p}: ${res.status} ${await res.text()}`);
  }
}

/** Plenty of stock per SKU straight in SQL, with the matching ledger entries so the ledger invariant holds. */
async function seedStock(database: TestDatabase, skus: string[]): Promise<void> {
  const db = database.db;
  await db('warehouses').insert({ id: 'bench', name: 'Bench', priority: 1 });
  await db.raw(`insert into stock_levels (sku, warehouse_id, on_hand) select unnest(?::text[]), 'bench', 10000000`, [skus]);
  await db.raw(`insert into ledger (movement_id, sku, warehouse_id, kind, actor, d_on_hand, before, after)
                select gen_random_uuid(), sku, warehouse_id, 'receive', 'bench', on_hand, '{}'::jsonb, '{}'::jsonb from stock_levels`);
}

/** Carts of random SKUs priced as the catalog prices them, straight in SQL (cart changes are not what is measured). */
async function seedCarts(database: TestDatabase, prices: SkuPrice[]): Promise<Array<{ id: string; shopperId: string; lines: Array<{ sku: string; quantity: number }> }>> {
  const carts = Array.from({ length: CARTS }, (_, i) => {
    const picked = new Map<string, SkuPrice>();
    while (picked.size < LINES_PER_CART) {
      const price = prices[Math.floor(Math.random() * prices.length)]!;
      picked.set(price.sku, price);
    }
    return { id: randomUUID(), shopperId: `bench-shopper-${i}`, lines: [...picked.values()] };
  });
  for (let i = 0; i < carts.length; i += 1_000) {
    const batch = carts.slice(i, i + 1_000);
    await database.db('carts').insert(batch.map((c) => ({ id: c.id, shopper_id: c.shopperId, currency: 'EUR' })));
    await database.db('cart_lines').insert(
      batch.flatMap((c) =>
        c.lines.map((l, position) => ({
          cart_id: c.id,
          sku: l.sku,
          position,
          quantity: 1,
          product_id: l.productId,
          name: l.productName,
          slug: l.slug,
          category_id: l.categoryId,
          options: JSON.stringify(l.options),
          unit_price_minor: l.priceMinor,
          currency: l.currency,
          sellable: true,
          available: 10_000_000,
        })),
      ),
    );
  }
  return carts.map((c) => ({ id: c.id, shopperId: c.shopperId, lines: c.lines.map((l) => ({ sku: l.sku, quantity: 1 })) }));
}

async function main(): Promise<void> {
  const [ordersDb, inventoryDb, catalogDb] = await Promise.all([
    createTestDatabase(ORDERS_MIGRATIONS_DIR, 'bench_orders'),
    createTestDatabase(INVENTORY.migrations, 'bench_orders_inv'),
    createTestDatabase(CATALOG.migrations, 'bench_orders_cat'),
  ]);
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const jwks = await startJwks(issuer.jwks);
  const sign = (subject: string, roles: string[]) => issuer.sign({ subject, roles, warehouses: ['*'] });
  const [serviceToken, storefrontToken, adminToken] = await Promise.all([sign('orders-bench', ['service']), sign('storefront-bench', ['service']), sign('merchant-bench', ['admin'])]);
  const auth = { JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, DATABASE_POOL_MAX: '20' };

  const inventory = await startBenchProcess(INVENTORY.main, { ...auth, DATABASE_URL: inventoryDb.url, LOCAL_OBJECTS_DIR: '/tmp' });
  const catalog = await startBenchProcess(CATALOG.main, { ...auth, DATABASE_URL: catalogDb.url, LOCAL_OBJECTS_DIR: '/tmp' });
  const orders = await startBenchProcess(ORDERS_MAIN, { ...auth, DATABASE_URL: ordersDb.url, CATALOG_URL: catalog.url, INVENTORY_URL: inventory.url, BENCH_SERVICE_TOKEN: serviceToken });
  const bare = await startBenchProcess(BARE_EXPRESS_SCRIPT, {});

  await seedCatalog(catalog.url, adminToken);
  const skus = Array.from({ length: PRODUCTS * VARIANTS }, (_, i) => skuOf(Math.floor(i / VARIANTS), i % VARIANTS));
  await seedStock(inventoryDb, skus);
  const prices: SkuPrice[] = [];
  for (let i = 0; i < skus.length; i += 200) {
    const res = await fetch(`${catalog.url}/v1/skus?skus=${skus.slice(i, i + 200).join(',')}`);
    prices.push(...skuPriceListSchema.parse(await res.json()).items);
  }
  const carts = await seedCarts(ordersDb, prices);

  // A keep-alive agent with one socket per client, as a load balancer would hold them.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const send = (base: string, route: string, token: string | null, payload: object, idempotencyKey?: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const url = new URL(route, base);
      const text = JSON.stringify(payload);
      const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
      if (token) headers.authorization = `Bearer ${token}`;
      if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;
      const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(text);
    });
  const post = (base: string, route: string, token: string | null, body: () => object, expected: number) => async () => (await send(base, route, token, body())).status === expected;
  let nextCart = 0;
  const takeCart = () => {
    const cart = carts[nextCart++];
    if (!cart) throw new Error(`all ${CARTS} carts were checked out; raise BENCH_CARTS`);
    return cart;
  };
  const checkout = post(orders.url, '/v1/checkouts', storefrontToken, () => {
    const cart = takeCart();
    return {
      checkoutId: randomUUID(),
      cartId: cart.id,
      shopperId: cart.shopperId,
      email: 'bench@example.com',
      shipping: { name: 'Bench', line1: '1 Main St', city: 'Berlin', postalCode: '10115', country: 'DE' },
      payment: { method: 'card', cardNumber: TEST_CARDS.approved, expiry: '12/39', cvc: '123' },
    };
  }, 201);
  // What a checkout asks of inventory, alone: a hold on the same kind of cart, with an Idempotency-Key as a checkout sends it.
  const hold = async () => {
    const reference = `bench-${randomUUID()}`;
    return send(inventory.url, '/v1/reservations', serviceToken, { reference, lines: carts[Math.floor(Math.random() * carts.length)]!.lines }, reference);
  };
  const reserve = async () => (await hold()).status === 201;
  // The inventory share of a checkout: the hold, then its commit once paid.
  const reserveAndCommit = async () => {
    const held = await hold();
    if (held.status !== 201) return false;
    const { id } = JSON.parse(held.body) as { id: string };
    return (await send(inventory.url, `/v1/reservations/${id}/commit`, serviceToken, {})).status === 200;
  };
  const bareExpress = post(bare.url, '/v1/checkouts', null, () => ({ reference: 'bare' }), 201);

  console.log(
    `orders checkout: ${CONCURRENCY} concurrent shoppers, carts of ${LINES_PER_CART} lines over ${skus.length} SKUs, ${SECONDS} s per measurement, median of ${ROUNDS} alternating rounds; catalog, inventory and orders as processes`,
  );
  await measure('warm-up', 2, 8, checkout);
  await measure('warm-up', 2, 8, reserve);
  const ceiling = await measure('HTTP ceiling: bare Express JSON POST, no I/O', SECONDS, CONCURRENCY, bareExpress);
  console.log(formatRow(ceiling));
  const baselines: Measurement[] = [];
  const holds: Measurement[] = [];
  const checkouts: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselines.push(await measure('baseline: inventory reservation API alone', SECONDS, CONCURRENCY, reserve));
    holds.push(await measure('inventory reserve + commit (its checkout share)', SECONDS, CONCURRENCY, reserveAndCommit));
    checkouts.push(await measure('checkout: price, reserve, order, pay, commit', SECONDS, CONCURRENCY, checkout));
  }
  const [baseline, inventoryShare, viaCheckout] = [median(baselines), median(holds), median(checkouts)];
  for (const m of [baseline, inventoryShare, viaCheckout]) console.log(formatRow(m));
  console.log('');
  const ratio = (a: Measurement, b: Measurement) => `${(a.opsPerSecond / b.opsPerSecond).toFixed(2)}x`;
  console.log(`ratio checkout / reservation alone = ${ratio(viaCheckout, baseline)}   checkout / reserve + commit = ${ratio(viaCheckout, inventoryShare)}   checkout / bare Express = ${ratio(viaCheckout, ceiling)}`);

  const paid = Number(((await ordersDb.db('orders').where({ status: 'paid' }).count('* as n').first()) as { n: string }).n);
  const unfinished = Number(((await ordersDb.db('checkouts').whereNot({ step: 'done' }).count('* as n').first()) as { n: string }).n);
  // Checkout holds are referenced by checkout id; the baselines' by `bench-…`.
  const committed = Number(
    ((await inventoryDb.db('reservation_allocations as a').join('reservations as r', 'r.id', 'a.reservation_id').where('r.status', 'committed').whereNot('r.reference', 'like', 'bench-%').sum('a.quantity as n').first()) as { n: string }).n,
  );
  console.log(`after the run: ${paid} paid orders, ${paid * LINES_PER_CART} units ordered, ${committed} of them committed in inventory, ${unfinished} checkouts unfinished`);

  agent.destroy();
  for (const p of [orders, catalog, inventory, bare]) p.stop();
  jwks.close();
  await new Promise((r) => setTimeout(r, 500));
  await Promise.all([ordersDb.drop(), inventoryDb.drop(), catalogDb.drop()]);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
