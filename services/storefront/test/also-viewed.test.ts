import { WAREHOUSE_TABLE_LIST, WAREHOUSE_TABLES } from '@shop/contracts';
import { createDuckDbWarehouse, createLogger, MemoryCache, type Warehouse } from '@shop/kit';
import { warehouseAlsoViewed } from '../src/index';
import { seedShop, startShop, type Shop } from './support/shop';

let shop: Shop;
let warehouse: Warehouse;
const cache = new MemoryCache();

beforeAll(async () => {
  warehouse = await createDuckDbWarehouse({ file: ':memory:', tables: WAREHOUSE_TABLE_LIST });
  const logger = createLogger({ service: 'also-viewed-test', level: 'silent' });
  shop = await startShop({ name: 'alsoviewed', alsoViewed: warehouseAlsoViewed({ warehouse, cache, logger, ttlSeconds: 600 }) });
  await seedShop(shop);
}, 60_000);

afterAll(async () => {
  await shop.close();
  await warehouse.close();
});

const productId = async (slug: string): Promise<string> => ((await (await fetch(`${shop.catalog.url}/v1/products/${slug}`)).json()) as { id: string }).id;

/** A co-view row as the streaming job writes it: one shard's partial count for a day. */
function coView(productIdValue: string, coProductId: string, shard: number, sessions: number, emittedAt: string) {
  const day = new Date().toISOString().slice(0, 10);
  return {
    insertId: `${productIdValue}-${coProductId}-${shard}-${emittedAt}`,
    values: {
      window_start: `${day}T00:00:00.000Z`,
      window_end: new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString(),
      product_id: productIdValue,
      co_product_id: coProductId,
      shard,
      sessions,
      pane_timing: 'EARLY',
      is_final: false,
      emitted_at: emittedAt,
    },
  };
}

it('shows the products most often viewed in the same sessions, from the warehouse, and keeps them in the cache', async () => {
  const [tee, shirt, mug] = await Promise.all([productId('classic-tee'), productId('linen-shirt'), productId('enamel-mug')]);
  const earlier = new Date(Date.now() - 60_000).toISOString();
  const later = new Date().toISOString();
  // The mug's newer pane takes its pair back to one session; the shirt's sessions add up over two shards.
  await warehouse.insert(WAREHOUSE_TABLES.coViews, [coView(tee, mug, 0, 9, earlier), coView(tee, mug, 0, 1, later), coView(tee, shirt, 0, 2, later), coView(tee, shirt, 1, 3, later)]);

  const page = await (await fetch(`${shop.url}/p/classic-tee`)).text();
  const section = page.slice(page.search(/also viewed/i));
  expect(section.indexOf('Linen Shirt')).toBeGreaterThan(-1);
  expect(section.indexOf('Enamel Mug')).toBeGreaterThan(section.indexOf('Linen Shirt'));

  const cachedKeys = await Promise.all([4, 5, 6].map((n) => cache.get(`also-viewed:${tee}:${n}`)));
  expect(cachedKeys.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as string[])).toContainEqual([shirt, mug]);
});
