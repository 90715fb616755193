import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { BARE_EXPRESS_SCRIPT, createDevIssuer, createTestDatabase, formatRow, measure, median, startBenchProcess, type Knex, type Measurement } from '@shop/kit';
import { CATALOG_MIGRATIONS_DIR } from '../migrations-dir';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
// Baseline and API alternate for several rounds and the median round counts, so a noisy moment on a shared machine does not decide the ratio.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
// Latency is measured with few clients, so it shows the query and not the queue in front of it.
const LATENCY_CONCURRENCY = Number(process.env.BENCH_LATENCY_CONCURRENCY ?? 4);
const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 3_000);
// A Redis database of the benchmark's own, so its keys stay away from anyone else's on the shared server.
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/7';
const ISSUER = 'https://identity.bench/';
const AUDIENCE = 'catalog';

const ADJECTIVES = ['Cosy', 'Classic', 'Light', 'Heavy', 'Slim', 'Relaxed', 'Vintage', 'Everyday', 'Trail', 'City', 'Summer', 'Winter', 'Soft', 'Rugged', 'Organic'];
const COLOURS = ['Black', 'White', 'Grey', 'Navy', 'Olive', 'Red', 'Sand', 'Forest', 'Sky', 'Rust', 'Cream', 'Charcoal'];
const MATERIALS = ['Cotton', 'Wool', 'Linen', 'Fleece', 'Denim', 'Leather', 'Canvas', 'Merino', 'Nylon', 'Corduroy'];
const NOUNS = ['Hoodie', 'Sweatshirt', 'T-Shirt', 'Jacket', 'Parka', 'Jeans', 'Chinos', 'Shorts', 'Sneaker', 'Boot', 'Beanie', 'Scarf', 'Gloves', 'Backpack', 'Tote', 'Socks', 'Shirt', 'Dress', 'Skirt', 'Cardigan', 'Vest', 'Cap', 'Belt', 'Sandal', 'Raincoat'];
const SIZES = ['S', 'M', 'L'];

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length]!;

/** A catalog of PRODUCTS products in 25 categories, 1 to 3 variants each, straight in SQL (the search triggers run as in production). */
async function seed(db: Knex): Promise<{ slugs: string[]; categories: string[] }> {
  const categories: Array<{ id: string; slug: string; name: string; parent_id: string | null; position: number }> = [];
  for (const [r, root] of ['Men', 'Women', 'Kids', 'Outdoor', 'Accessories'].entries()) {
    const rootId = randomUUID();
    categories.push({ id: rootId, slug: root.toLowerCase(), name: root, parent_id: null, position: r });
    for (const [c, child] of ['Tops', 'Bottoms', 'Shoes', 'Layers'].entries()) {
      categories.push({ id: randomUUID(), slug: `${root.toLowerCase()}-${child.toLowerCase()}`, name: `${root} ${child}`, parent_id: rootId, position: c });
    }
  }
  await db('categories').insert(categories);
  const leaves = categories.filter((c) => c.parent_id !== null);
  const slugs: string[] = [];
  for (let start = 0; start < PRODUCTS; start += 500) {
    const products = [];
    const variants = [];
    const stock = [];
    for (let i = start; i < Math.min(PRODUCTS, start + 500); i++) {
      const name = `${pick(ADJECTIVES, i)} ${pick(COLOURS, i * 7)} ${pick(MATERIALS, i * 3)} ${pick(NOUNS, i * 11)}`;
      const slug = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${i}`;
      const id = randomUUID();
      const count = 1 + (i % 3);
      const price = 990 + ((i * 37) % 200) * 100;
      slugs.push(slug);
      products.push({
        id,
        slug,
        name,
        description: `${name} in ${pick(MATERIALS, i * 3).toLowerCase()}, made to last. Pairs well with a ${pick(NOUNS, i + 5).toLowerCase()}.`,
        status: 'active',
        category_id: pick(leaves, i).id,
        currency: 'EUR',
        images: JSON.stringify([{ uri: `gs://shop-assets/products/${slug}.jpg`, alt: name }, { uri: `gs://shop-assets/products/${slug}-back.jpg`, alt: `${name}, back` }]),
        option_names: JSON.stringify(['size']),
        price_min: price,
        price_max: price + (count - 1) * 500,
      });
      for (let v = 0; v < count; v++) {
        const sku = `B${i}-${SIZES[v]}`;
        variants.push({ sku, product_id: id, currency: 'EUR', options: JSON.stringify({ size: SIZES[v] }), price_minor: price + v * 500, position: v });
        if ((i + v) % 5 !== 0) stock.push({ sku, available: (i * 13 + v) % 40 });
      }
    }
    await db('products').insert(products);
    await db('variants').insert(variants);
    await db('sku_stock').insert(stock);
  }
  await db.raw('analyze');
  return { slugs, categories: categories.map((c) => c.slug) };
}

async function startJwks(jwks: object): Promise<{ url: string; close(): void }> {
  const server = http.createServer((_req, res) => res.end(JSON.stringify(jwks)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/jwks.json`, close: () => server.close() };
}

async function main(): Promise<void> {
  const database = await createTestDatabase(CATALOG_MIGRATIONS_DIR, 'catalog_bench');
  const { slugs, categories } = await seed(database.db);
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const jwks = await startJwks(issuer.jwks);
  const service = await startBenchProcess(path.resolve(__dirname, '../main.js'), {
    DATABASE_URL: database.url,
    REDIS_URL,
    JWKS_URL: jwks.url,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    LOCAL_OBJECTS_DIR: '/tmp',
    DATABASE_POOL_MAX: '20',
  });
  // A keep-alive agent with one socket per client, as a load balancer would hold them.
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const get = (base: string, target: () => string) => () =>
    new Promise<boolean>((resolve, reject) => {
      const req = http.get(`${base}${target()}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode === 200));
      });
      req.on('error', reject);
    });

  const hot = `/v1/products/${slugs[Math.floor(slugs.length / 2)]}`;
  const page = await fetch(`${service.url}${hot}`);
  const bodyBytes = Buffer.byteLength(await page.text());
  const bare = await startBenchProcess(BARE_EXPRESS_SCRIPT, { BARE_BODY_BYTES: String(bodyBytes) });

  const words = [...ADJECTIVES, ...COLOURS, ...MATERIALS, ...NOUNS].map((w) => w.toLowerCase().replace(/[^a-z]/g, ''));
  const typo = (w: string) => (w.length > 4 ? `${w.slice(0, 2)}${w[3]}${w[2]}${w.slice(4)}` : w);
  const random = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
  const sorts = ['newest', 'price_asc', 'price_desc', 'name', 'best_selling'];
  // A random price ceiling makes each request its own cache key, so these go to Postgres.
  const ceiling = () => 5_000 + Math.floor(Math.random() * 1_000_000);
  const listingMiss = () => `/v1/products?category=${random(categories)}&sort=${random(sorts)}&maxPrice=${ceiling()}`;
  const searchMiss = () => `/v1/products?q=${encodeURIComponent(`${random(COLOURS).toLowerCase()} ${typo(random(words))}`)}&maxPrice=${ceiling()}`;
  const listingHit = () => '/v1/products?category=men&sort=newest';

  console.log(
    `catalog: ${PRODUCTS} products, product page body ${bodyBytes} bytes, ${CONCURRENCY} clients for throughput and ${LATENCY_CONCURRENCY} for latency, ` +
      `${SECONDS} s per measurement, median of ${ROUNDS} alternating rounds, Redis ${REDIS_URL}`,
  );
  // Warm-up: JIT, connection pools, and the hot page and listing into Redis.
  await measure('warm-up', 2, 8, get(service.url, () => hot));
  await measure('warm-up', 1, 4, get(service.url, listingHit));
  await measure('warm-up', 1, 8, get(bare.url, () => hot));

  const baselines: Measurement[] = [];
  const pages: Measurement[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    baselines.push(await measure(`baseline: bare Express GET, ${bodyBytes} B body`, SECONDS, CONCURRENCY, get(bare.url, () => hot)));
    pages.push(await measure('product page, Redis cache hit', SECONDS, CONCURRENCY, get(service.url, () => hot)));
  }
  const baseline = median(baselines);
  const hit = median(pages);
  console.log(formatRow(baseline));
  console.log(formatRow(hit));
  const latency: Measurement[] = [
    await measure('listing page, cache hit', SECONDS, LATENCY_CONCURRENCY, get(service.url, listingHit)),
    await measure('listing page, Postgres (category, sort, price)', SECONDS, LATENCY_CONCURRENCY, get(service.url, listingMiss)),
    await measure('search with a typo, Postgres', SECONDS, LATENCY_CONCURRENCY, get(service.url, searchMiss)),
  ];
  for (const m of latency) console.log(formatRow(m));
  console.log('');
  console.log(`ratio product page (cache hit) / bare Express = ${(hit.opsPerSecond / baseline.opsPerSecond).toFixed(2)}x   (target >= 0.70x)`);
  agent.destroy();
  service.stop();
  bare.stop();
  jwks.close();
  await database.drop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
