import { startActivityService, type RunningActivity } from '@shop/activity';
import { startCatalogService, type RunningCatalog } from '@shop/catalog';
import { startInventoryService, type RunningInventory } from '@shop/inventory';
import { startOrdersService, type OrdersSettings, type PaymentProvider, type RunningOrders } from '@shop/orders';
import { createCallees, startStorefront, type AlsoViewed, type RunningStorefront, type StorefrontSettings } from '@shop/storefront';
import { CookieSigner, devServiceCredentials, type Cache, type DevIssuer, type EventBus, type Knex, type Logger, type ObjectStore, type TokenVerifier } from '@shop/kit';
import { startEdge, type RunningEdge } from './edge';

export interface ShopPorts {
  inventory: number;
  catalog: number;
  orders: number;
  activity: number;
  storefront: number;
  /** The one origin shoppers use. */
  edge: number;
}

export interface ShopOptions {
  host: string;
  ports: ShopPorts;
  databases: { inventory: Knex; catalog: Knex; orders: Knex };
  /** The cache of one service; every service gets its own unless they share Redis. */
  cache: (service: string) => Cache;
  bus: EventBus;
  /** Stands in for Cloud Storage: imports, and the product images the edge serves at /assets. */
  objects: ObjectStore;
  logger: Logger;
  /** Signs the service tokens the services call each other with; verifyToken checks them. */
  issuer: DevIssuer;
  verifyToken: TokenVerifier;
  cookieKey: string;
  payments: PaymentProvider;
  importsBucket: string;
  assetsBucket: string;
  alsoViewed?: AlsoViewed;
  storefrontSettings?: Partial<StorefrontSettings>;
  ordersSettings?: Partial<OrdersSettings>;
  storefrontActivityQueue?: { batchSize?: number; flushIntervalMs?: number; maxQueued?: number };
  /** Called as each part comes up, with the step that stops it, so a failure part-way stops what started. */
  onStarted: (name: string, stop: () => Promise<void>) => void;
}

export interface Shop {
  url: string;
  inventory: RunningInventory;
  catalog: RunningCatalog;
  orders: RunningOrders;
  activity: RunningActivity;
  storefront: RunningStorefront;
  edge: RunningEdge;
}

/**
 * The shop's services wired as they run in production, in one process: inventory, catalog (its
 * event projections subscribed before anyone publishes), orders, activity and the storefront,
 * calling each other over HTTP with development service tokens, behind one edge origin.
 */
export async function startShop(options: ShopOptions): Promise<Shop> {
  const { host, ports, logger, bus, issuer, verifyToken } = options;
  const at = (port: number) => ({ host, port });

  const catalog = await startCatalogService(
    { db: options.databases.catalog, cache: options.cache('catalog'), bus, logger, verifyToken, objects: options.objects, importsBucket: options.importsBucket, assetsBaseUrl: '/assets' },
    at(ports.catalog),
  );
  options.onStarted('catalog service', () => catalog.stop());
  const inventory = await startInventoryService(
    { db: options.databases.inventory, cache: options.cache('inventory'), bus, logger, verifyToken, objects: options.objects, importsBucket: options.importsBucket },
    at(ports.inventory),
  );
  options.onStarted('inventory service', () => inventory.stop());
  const orders = await startOrdersService(
    {
      db: options.databases.orders,
      cache: options.cache('orders'),
      bus,
      logger,
      verifyToken,
      catalogUrl: catalog.url,
      inventoryUrl: inventory.url,
      credentials: devServiceCredentials(issuer, 'orders'),
      payments: options.payments,
      ...(options.ordersSettings ? { settings: options.ordersSettings } : {}),
    },
    at(ports.orders),
  );
  options.onStarted('orders service', () => orders.stop());
  const cookies = new CookieSigner(options.cookieKey);
  const secureCookies = options.storefrontSettings?.COOKIE_SECURE ?? false;
  const activity = await startActivityService({ bus, cache: options.cache('activity'), logger, verifyToken, cookies, secureCookies }, at(ports.activity));
  options.onStarted('activity service', () => activity.stop());
  const callees = createCallees({
    catalogUrl: catalog.url,
    inventoryUrl: inventory.url,
    ordersUrl: orders.url,
    activityUrl: activity.url,
    credentials: devServiceCredentials(issuer, 'storefront'),
  });
  const storefront = await startStorefront(
    {
      logger,
      cache: options.cache('storefront'),
      cookies,
      callees,
      settings: { COOKIE_SECURE: secureCookies, ...options.storefrontSettings },
      ...(options.alsoViewed ? { alsoViewed: options.alsoViewed } : {}),
      ...(options.storefrontActivityQueue ? { activityQueue: options.storefrontActivityQueue } : {}),
    },
    at(ports.storefront),
  );
  options.onStarted('storefront', () => storefront.stop());
  const edge = await startEdge({ host, port: ports.edge, storefront: storefront.url, activity: activity.url, assets: { objects: options.objects, bucket: options.assetsBucket } });
  options.onStarted('edge', () => edge.close());
  return { url: edge.url, inventory, catalog, orders, activity, storefront, edge };
}
