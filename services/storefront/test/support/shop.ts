import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fromMessage, TOPICS, type CloudEvent } from '@shop/contracts';
import {
  CookieSigner,
  createDevIssuer,
  createLogger,
  createTestDatabase,
  createTokenVerifier,
  LocalObjectStore,
  MemoryBus,
  MemoryCache,
  type Cache,
  type DevIssuer,
  type EventBus,
  type Logger,
  type Subscription,
  type TestDatabase,
} from '@shop/kit';
import { INVENTORY_MIGRATIONS_DIR, type RunningInventory } from '@shop/inventory';
import { CATALOG_MIGRATIONS_DIR, type RunningCatalog } from '@shop/catalog';
import { ORDERS_MIGRATIONS_DIR, TestPaymentProvider, type RunningOrders } from '@shop/orders';
import type { RunningActivity } from '@shop/activity';
import { startShop as startLocalShop } from '@shop/local';
import type { AlsoViewed, RunningStorefront, StorefrontSettings } from '../../src/index';

export const ISSUER = 'https://identity.test/';
/** One audience for every service, as on the local platform. */
export const AUDIENCE = 'shop-platform';
export const COOKIE_KEY = 'storefront-test-cookie-key-0123456789abcdef';
export const WAREHOUSE = 'main';

export interface Call {
  status: number;
  body: unknown;
}

/** JSON calls to one service with a bearer token. */
export type Caller = (method: string, path: string, body?: unknown) => Promise<Call>;

function caller(baseUrl: string, token: Promise<string>): Caller {
  return async (method, p, body) => {
    const res = await fetch(baseUrl + p, {
      method,
      headers: { authorization: `Bearer ${await token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
}

async function expectStatus(call: Promise<Call>, status: number, what: string): Promise<Record<string, unknown>> {
  const r = await call;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as Record<string, unknown>;
}

export interface ShopOptions {
  /** Names this test file's databases. */
  name: string;
  /** The storefront's cache (rate limits, idempotency); default in-process. */
  cache?: Cache;
  /** The bus every service shares; default in-process. */
  bus?: EventBus;
  settings?: Partial<StorefrontSettings>;
  alsoViewed?: AlsoViewed;
}

export interface ProductSpec {
  slug: string;
  name: string;
  category?: string;
  description?: string;
  variants: Array<{ sku: string; priceMinor: number; stock: number; options?: Record<string, string> }>;
}

export interface Shop {
  /** The one origin shoppers use (storefront plus /beacon and /v1/activity to activity). */
  url: string;
  storefrontUrl: string;
  storefront: RunningStorefront;
  inventory: RunningInventory;
  catalog: RunningCatalog;
  orders: RunningOrders;
  activity: RunningActivity;
  payments: TestPaymentProvider;
  cookies: CookieSigner;
  issuer: DevIssuer;
  logger: Logger;
  /** Activity events published to activity-events, as they arrive. */
  activityEvents: CloudEvent[];
  catalogAdmin: Caller;
  inventoryAdmin: Caller;
  ordersAdmin: Caller;
  category(slug: string, name: string, parentSlug?: string): Promise<string>;
  /** An active product through the catalog's admin API, its stock received through inventory's. */
  product(spec: ProductSpec): Promise<{ id: string; slug: string }>;
  /** Sellable units of a SKU, as inventory reports them. */
  available(sku: string): Promise<number>;
  /** Waits until the catalog's projection of inventory events shows the SKU's stock. */
  catalogSees(slug: string, sku: string, available: number): Promise<void>;
  close(): Promise<void>;
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The whole shop in this process, as it runs in production: inventory, catalog, orders (with the
 * test payment provider) and activity on their own throwaway databases, the storefront calling
 * them with development service tokens, and an edge routing one origin as the load balancer does.
 */
export async function startShop(options: ShopOptions): Promise<Shop> {
  const logger = createLogger({ service: 'storefront-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const databases: TestDatabase[] = await Promise.all([
    createTestDatabase(INVENTORY_MIGRATIONS_DIR, `sf_${options.name}_inv`),
    createTestDatabase(CATALOG_MIGRATIONS_DIR, `sf_${options.name}_cat`),
    createTestDatabase(ORDERS_MIGRATIONS_DIR, `sf_${options.name}_ord`),
  ]);
  const [inventoryDb, catalogDb, ordersDb] = databases as [TestDatabase, TestDatabase, TestDatabase];
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const verifyToken = createTokenVerifier({ jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE });
  const bus = options.bus ?? new MemoryBus({ logger });
  const objects = () => new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'storefront-objects-')));

  const activityEvents: CloudEvent[] = [];
  const collector: Subscription = await bus.subscribe(TOPICS.activity, `storefront-test-${options.name}-${Date.now().toString(36)}`, (message) => {
    activityEvents.push(fromMessage(message.attributes, message.data));
    return Promise.resolve();
  });

  const payments = new TestPaymentProvider();
  const cookies = new CookieSigner(COOKIE_KEY);
  const stops: Array<() => Promise<void>> = [];

  const running = await startLocalShop({
    host: '127.0.0.1',
    ports: { inventory: 0, catalog: 0, orders: 0, activity: 0, storefront: 0, edge: 0 },
    databases: { inventory: inventoryDb.db, catalog: catalogDb.db, orders: ordersDb.db },
    cache: (service) => (service === 'storefront' && options.cache ? options.cache : new MemoryCache({ logger })),
    bus,
    objects: objects(),
    logger,
    issuer,
    verifyToken,
    cookieKey: COOKIE_KEY,
    payments,
    importsBucket: 'imports-test',
    assetsBucket: 'product-images',
    storefrontSettings: { COOKIE_SECURE: false, TEST_PAYMENTS: true, ...options.settings },
    ordersSettings: { paymentTimeoutMs: 500, waitMs: 5_000 },
    storefrontActivityQueue: { flushIntervalMs: 50 },
    ...(options.alsoViewed ? { alsoViewed: options.alsoViewed } : {}),
    onStarted: (_name, stop) => stops.unshift(stop),
  });
  const { inventory, catalog, orders, activity, storefront, edge } = running;

  const adminToken = issuer.sign({ subject: 'staff@test', roles: ['admin'], warehouses: ['*'] });
  const catalogAdmin = caller(catalog.url, adminToken);
  const inventoryAdmin = caller(inventory.url, adminToken);
  const ordersAdmin = caller(orders.url, adminToken);
  await expectStatus(inventoryAdmin('POST', '/v1/warehouses', { id: WAREHOUSE, name: 'Main', priority: 1 }), 201, 'warehouse');
  const categoryIds = new Map<string, string>();

  const available = async (sku: string): Promise<number> => {
    const body = await expectStatus(inventoryAdmin('GET', `/v1/availability?skus=${encodeURIComponent(sku)}`), 200, 'availability');
    return (body.items as Array<{ available: number }>)[0]?.available ?? 0;
  };

  return {
    url: edge.url,
    storefrontUrl: storefront.url,
    storefront,
    inventory,
    catalog,
    orders,
    activity,
    payments,
    cookies,
    issuer,
    logger,
    activityEvents,
    catalogAdmin,
    inventoryAdmin,
    ordersAdmin,
    category: async (slug, name, parentSlug) => {
      const parentId = parentSlug ? (categoryIds.get(parentSlug) ?? null) : null;
      const body = await expectStatus(catalogAdmin('POST', '/v1/admin/categories', { slug, name, parentId, position: categoryIds.size }), 201, `category ${slug}`);
      categoryIds.set(slug, String(body.id));
      return String(body.id);
    },
    product: async (spec) => {
      const body = await expectStatus(
        catalogAdmin('POST', '/v1/admin/products', {
          slug: spec.slug,
          name: spec.name,
          description: spec.description ?? `${spec.name}, made to last.`,
          status: 'active',
          currency: 'EUR',
          categoryId: spec.category ? (categoryIds.get(spec.category) ?? null) : null,
          images: [{ uri: `gs://product-images/${spec.slug}.png`, alt: `Photo of ${spec.name}` }],
          variants: spec.variants.map((v) => ({ sku: v.sku, priceMinor: v.priceMinor, options: v.options ?? {} })),
        }),
        201,
        `product ${spec.slug}`,
      );
      for (const v of spec.variants.filter((x) => x.stock > 0)) {
        await expectStatus(inventoryAdmin('POST', '/v1/stock/receive', { warehouseId: WAREHOUSE, sku: v.sku, quantity: v.stock }), 201, `stock ${v.sku}`);
      }
      return { id: String(body.id), slug: spec.slug };
    },
    available,
    catalogSees: (slug, sku, units) =>
      waitFor(`catalog to show ${units} of ${sku}`, async () => {
        const res = await fetch(`${catalog.url}/v1/products/${slug}`);
        const product = (await res.json()) as { variants?: Array<{ sku: string; available: number }> };
        return product.variants?.find((v) => v.sku === sku)?.available === units;
      }),
    close: async () => {
      for (const stop of stops) await stop();
      await collector.close();
      if (!options.bus) await bus.close();
      await Promise.all(databases.map((d) => d.drop()));
    },
  };
}

/** A small shop: two categories, a few products with stock, one sold out. */
export async function seedShop(shop: Shop): Promise<void> {
  await shop.category('apparel', 'Apparel');
  await shop.category('tees', 'T-shirts', 'apparel');
  await shop.category('kitchen', 'Kitchen');
  await shop.product({
    slug: 'classic-tee',
    name: 'Classic Tee',
    category: 'tees',
    variants: [
      { sku: 'TEE-BLK-M', priceMinor: 1999, stock: 20, options: { colour: 'black', size: 'M' } },
      { sku: 'TEE-BLK-L', priceMinor: 1999, stock: 3, options: { colour: 'black', size: 'L' } },
    ],
  });
  await shop.product({ slug: 'linen-shirt', name: 'Linen Shirt', category: 'apparel', variants: [{ sku: 'SHIRT-LIN', priceMinor: 4900, stock: 8 }] });
  await shop.product({ slug: 'enamel-mug', name: 'Enamel Mug', category: 'kitchen', variants: [{ sku: 'MUG-ENA', priceMinor: 1250, stock: 30 }] });
  await shop.product({ slug: 'espresso-cup', name: 'Espresso Cup', category: 'kitchen', variants: [{ sku: 'CUP-ESP', priceMinor: 900, stock: 0 }] });
  await shop.catalogSees('classic-tee', 'TEE-BLK-M', 20);
  await shop.catalogSees('enamel-mug', 'MUG-ENA', 30);
}
