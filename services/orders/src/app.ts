import { Router, type Express } from 'express';
import { apiDocsRouter, createHttpApp, idempotency, pingDb, type Cache, type Knex, type Logger, type ServiceCredentials, type TokenVerifier } from '@shop/kit';
import { CatalogPrices } from './clients/catalog';
import { InventoryClient } from './clients/inventory';
import { CartViews } from './operations/cart-views';
import { Carts } from './operations/carts';
import { CheckoutSaga } from './operations/checkout';
import { OrderActions } from './operations/order-actions';
import { Recovery } from './operations/recovery';
import type { PaymentProvider } from './payments/provider';
import { buildApi, ORDERS_API_DESCRIPTION } from './routes/index';
import { DEFAULT_ORDERS_SETTINGS, type OrdersSettings } from './settings';

export { ORDERS_MIGRATIONS_DIR } from './migrations-dir';

export interface OrdersDeps {
  db: Knex;
  cache: Cache;
  logger: Logger;
  verifyToken: TokenVerifier;
  /** Catalog base URL; its price list is read without a token. */
  catalogUrl: string;
  /** Inventory base URL; calls carry a token from `credentials` for the audience `inventory`. */
  inventoryUrl: string;
  credentials: ServiceCredentials;
  payments: PaymentProvider;
  /** Defaults: DEFAULT_ORDERS_SETTINGS. */
  settings?: Partial<OrdersSettings>;
  bodyLimit?: string;
  isDraining?: () => boolean;
}

export interface OrdersApp {
  app: Express;
  carts: Carts;
  views: CartViews;
  saga: CheckoutSaga;
  actions: OrderActions;
  recovery: Recovery;
  settings: OrdersSettings;
  /** Closes the keep-alive connections to catalog and inventory. */
  close(): void;
}

/** Builds the orders HTTP app and the in-process parts its routes and background loops use. */
export function createOrdersApp(deps: OrdersDeps): OrdersApp {
  const settings: OrdersSettings = { ...DEFAULT_ORDERS_SETTINGS, ...deps.settings };
  const catalog = CatalogPrices.connect(deps.catalogUrl);
  const inventory = InventoryClient.connect(deps.inventoryUrl, deps.credentials);
  const views = new CartViews(deps.cache, deps.logger, settings.cartCacheTtlSeconds);
  const carts = new Carts({ db: deps.db, catalog, inventory, views });
  const saga = new CheckoutSaga({ db: deps.db, logger: deps.logger, carts, views, catalog, inventory, payments: deps.payments, settings });
  const actions = new OrderActions({ db: deps.db, logger: deps.logger, inventory, payments: deps.payments, saga, settings });
  const recovery = new Recovery({ db: deps.db, logger: deps.logger, saga, actions, settings });
  const api = buildApi({
    db: deps.db,
    verifyToken: deps.verifyToken,
    carts,
    saga,
    actions,
    idempotent: idempotency({ db: deps.db, scope: (req) => `orders:${req.principal?.subject ?? 'anonymous'}` }),
  });
  const routes = Router();
  routes.use(apiDocsRouter(api.document({ title: 'Orders API', version: '1.0.0', description: ORDERS_API_DESCRIPTION })));
  routes.use(api.router);
  const app = createHttpApp({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit ?? '256kb',
    readiness: { database: () => pingDb(deps.db) },
    routes,
    ...(deps.isDraining ? { isDraining: deps.isDraining } : {}),
  });
  return {
    app,
    carts,
    views,
    saga,
    actions,
    recovery,
    settings,
    close: () => {
      catalog.close();
      inventory.close();
    },
  };
}
