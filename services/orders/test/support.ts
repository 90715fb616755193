import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_CARDS, type CartView, type CheckoutBody } from '@shop/contracts';
import {
  createDevIssuer,
  createLogger,
  createTestDatabase,
  createTokenVerifier,
  devServiceCredentials,
  listen,
  LocalObjectStore,
  MemoryBus,
  MemoryCache,
  type Cache,
  type DevIssuer,
  type EventBus,
  type RunningServer,
  type TestDatabase,
} from '@shop/kit';
import { createInventoryApp, INVENTORY_MIGRATIONS_DIR, type InventoryApp } from '@shop/inventory';
import { CATALOG_MIGRATIONS_DIR, startCatalogService, type RunningCatalog } from '@shop/catalog';
import { createOrdersApp, ORDERS_MIGRATIONS_DIR, type OrdersApp } from '../src/app';
import { TestPaymentProvider } from '../src/payments/test-provider';
import { startOrdersService, type RunningOrders } from '../src/service';
import type { OrdersSettings } from '../src/settings';
import { client, type Client, type Reply } from '../../kit/test-support/api-client';

export const ISSUER = 'https://identity.test/';
/** One audience for every service, as on the local platform. */
export const AUDIENCE = 'shop-platform';

export { client, type Client, type Reply };


export interface PlatformOptions {
  /** Prefix of the test databases; names the test file. */
  name: string;
  settings?: Partial<OrdersSettings>;
  cache?: Cache;
  /** The bus catalog publishes to and (with `service`) orders consumes from; default in-process. */
  bus?: EventBus;
  /** Run orders as the full service (relay, catalog-events consumer, sweeper) rather than the bare app. */
  service?: boolean;
}

export interface Platform {
  issuer: DevIssuer;
  databases: { orders: TestDatabase; inventory: TestDatabase; catalog: TestDatabase };
  inventory: InventoryApp;
  inventoryUrl: string;
  catalog: RunningCatalog;
  /** The orders app in this process (its saga, recovery sweeper, carts). */
  orders: OrdersApp;
  /** The running service when started with `service: true`. */
  ordersService: RunningOrders | null;
  ordersUrl: string;
  payments: TestPaymentProvider;
  /** The storefront's identity calling orders. */
  storefront: Client;
  admin: Client;
  catalogAdmin: Client;
  inventoryAdmin: Client;
  /** Another orders instance over the same database (as a second pod), with a client for the storefront. */
  instance(): Promise<{ storefront: Client; close(): Promise<void> }>;
  /** Creates an active product with one variant per SKU and receives its stock at warehouse `main`. */
  product(spec: { slug: string; currency?: string; variants: Array<{ sku: string; priceMinor: number; stock: number }> }): Promise<{ id: string }>;
  /** A cart for the shopper holding these lines, through the API. */
  cart(shopperId: string, lines: Array<{ sku: string; quantity: number }>): Promise<CartView>;
  close(): Promise<void>;
}

export const silentLogger = () => createLogger({ service: 'orders-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export const shopper = (n: number | string = randomUUID()): string => `shopper-${String(n).replace(/[^A-Za-z0-9_-]/g, '')}`.slice(0, 64);

export function checkoutBody(cart: CartView, overrides: Partial<CheckoutBody> & { cardNumber?: string } = {}): CheckoutBody {
  const { cardNumber, ...rest } = overrides;
  return {
    checkoutId: randomUUID(),
    cartId: cart.id,
    shopperId: cart.shopperId,
    email: 'ada@example.com',
    shipping: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
    payment: { method: 'card', cardNumber: cardNumber ?? TEST_CARDS.approved, expiry: '12/39', cvc: '123' },
    ...rest,
  };
}

export async function startPlatform(options: PlatformOptions): Promise<Platform> {
  const logger = silentLogger();
  const [orders, inventoryDb, catalogDb] = await Promise.all([
    createTestDatabase(ORDERS_MIGRATIONS_DIR, `orders_${options.name}`),
    createTestDatabase(INVENTORY_MIGRATIONS_DIR, `orders_${options.name}_inv`),
    createTestDatabase(CATALOG_MIGRATIONS_DIR, `orders_${options.name}_cat`),
  ]);
  const issuer = await createDevIssuer(ISSUER, AUDIENCE);
  const verifyToken = createTokenVerifier({ jwks: issuer.jwks, issuer: ISSUER, audience: AUDIENCE });
  const cache = options.cache ?? new MemoryCache({ logger });
  const bus = options.bus ?? new MemoryBus({ logger });

  const inventory = createInventoryApp({
    db: inventoryDb.db,
    cache: new MemoryCache({ logger }),
    logger,
    verifyToken,
    objects: new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'orders-inv-objects-'))),
    importsBucket: 'imports-test',
  });
  await inventory.feed.start();
  const inventoryServer: RunningServer = await listen(inventory.app, 0, '127.0.0.1');

  const catalog = await startCatalogService(
    { db: catalogDb.db, cache: new MemoryCache({ logger }), logger, verifyToken, objects: new LocalObjectStore(mkdtempSync(path.join(tmpdir(), 'orders-cat-objects-'))), bus },
    { port: 0, host: '127.0.0.1' },
  );

  const payments = new TestPaymentProvider();
  const ordersDeps = {
    db: orders.db,
    cache,
    logger,
    verifyToken,
    catalogUrl: catalog.url,
    inventoryUrl: inventoryServer.url,
    credentials: devServiceCredentials(issuer, 'orders@test'),
    payments,
    settings: { paymentTimeoutMs: 500, leaseSeconds: 30, waitMs: 10_000, ...options.settings },
  };
  // The service builds its own app; tests reach the parts through a second app over the same database.
  const ordersApp = createOrdersApp(ordersDeps);
  let ordersService: RunningOrders | null = null;
  let ordersServer: RunningServer | null = null;
  if (options.service) ordersService = await startOrdersService({ ...ordersDeps, bus }, { port: 0, host: '127.0.0.1' });
  else ordersServer = await listen(ordersApp.app, 0, '127.0.0.1');
  const ordersUrl = ordersService?.url ?? ordersServer!.url;

  const token = (subject: string, roles: string[]) => issuer.sign({ subject, roles, warehouses: ['*'] });
  const storefront = client(ordersUrl, token('storefront@test', ['service']));
  const admin = client(ordersUrl, token('staff@test', ['admin']));
  const catalogAdmin = client(catalog.url, token('merchant@test', ['admin']));
  const inventoryAdmin = client(inventoryServer.url, token('warehouse@test', ['admin']));

  const warehouse = await inventoryAdmin.post('/v1/warehouses', { id: 'main', name: 'Main', priority: 1 });
  if (warehouse.status !== 201) throw new Error(`warehouse: ${warehouse.status} ${JSON.stringify(warehouse.body)}`);

  return {
    issuer,
    databases: { orders, inventory: inventoryDb, catalog: catalogDb },
    inventory,
    inventoryUrl: inventoryServer.url,
    catalog,
    orders: ordersApp,
    ordersService,
    ordersUrl,
    payments,
    storefront,
    admin,
    catalogAdmin,
    inventoryAdmin,
    instance: async () => {
      const other = createOrdersApp(ordersDeps);
      const server = await listen(other.app, 0, '127.0.0.1');
      return {
        storefront: client(server.url, token('storefront@test', ['service'])),
        close: async () => {
          await server.close();
          other.close();
        },
      };
    },
    product: async (spec) => {
      const created = await catalogAdmin.post<{ id: string }>('/v1/admin/products', {
        slug: spec.slug,
        name: `Product ${spec.slug}`,
        status: 'active',
        currency: spec.currency ?? 'EUR',
        variants: spec.variants.map((v, i) => ({ sku: v.sku, priceMinor: v.priceMinor, options: spec.variants.length > 1 ? { size: `S${i}` } : {} })),
      });
      if (created.status !== 201) throw new Error(`product ${spec.slug}: ${created.status} ${JSON.stringify(created.body)}`);
      for (const v of spec.variants.filter((x) => x.stock > 0)) {
        const received = await inventoryAdmin.post('/v1/stock/receive', { warehouseId: 'main', sku: v.sku, quantity: v.stock });
        if (received.status !== 201) throw new Error(`stock ${v.sku}: ${received.status} ${JSON.stringify(received.body)}`);
      }
      return { id: created.body.id };
    },
    cart: async (shopperId, lines) => {
      const created = await storefront.post<CartView>('/v1/carts', { shopperId });
      if (created.status !== 201) throw new Error(`cart: ${created.status} ${JSON.stringify(created.body)}`);
      let view = created.body;
      for (const line of lines) {
        const set = await storefront.put<CartView>(`/v1/carts/${view.id}/lines/${line.sku}`, { shopperId, quantity: line.quantity });
        if (set.status !== 200) throw new Error(`cart line ${line.sku}: ${set.status} ${JSON.stringify(set.body)}`);
        view = set.body;
      }
      return view;
    },
    close: async () => {
      await ordersService?.stop();
      await ordersServer?.close();
      ordersApp.close();
      await catalog.stop();
      await inventory.feed.stop();
      await inventory.imports.stop();
      await inventoryServer.close();
      if (!options.bus) await bus.close();
      if (!options.cache) await cache.close();
      await Promise.all([orders.drop(), inventoryDb.drop(), catalogDb.drop()]);
    },
  };
}

/** Sellable units of a SKU as inventory reports them. */
export async function availableOf(p: Platform, sku: string): Promise<number> {
  const r = await p.inventoryAdmin.get<{ items: Array<{ sku: string; available: number }> }>(`/v1/availability?skus=${sku}`);
  return r.body.items.find((i) => i.sku === sku)?.available ?? 0;
}

/** The order events in the outbox, oldest first. */
export async function outboxEvents(p: Platform, subject?: string): Promise<Array<{ type: string; subject: string; source: string; topic: string; data: unknown; time: Date }>> {
  const q = p.databases.orders.db('outbox').orderBy('seq').select('type', 'subject', 'source', 'topic', 'data', 'time');
  if (subject) q.where({ subject });
  return q;
}

export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
