import type { Express, Request } from 'express';
import { categoryListSchema } from '@shop/contracts';
import { createHttpApp, rateLimit, type Cache, type CookieSigner, type Logger } from '@shop/kit';
import type { ActivitySink } from './activity/queue';
import type { Callees } from './callees/index';
import { storefrontSettings, type StorefrontSettings } from './config';
import { clientAddress } from './http/client-address';
import { readThrough } from './http/read-through';
import { contentSecurityPolicy, PageSender } from './http/respond';
import { ShopperCookies } from './http/shopper';
import { LiveStock } from './live/live-stock';
import { noAlsoViewed, type AlsoViewed } from './recommendations/also-viewed';
import type { RouteContext } from './routes/context';
import { storefrontRoutes } from './routes/index';
import { CartActions } from './shopping/cart-actions';
import { CheckoutActions } from './shopping/checkout-actions';
import { staticAssets } from './static/assets';

export interface StorefrontDeps {
  logger: Logger;
  /** Rate limits, idempotency keys and the catalog's category list (Memorystore, or in-process). */
  cache: Cache;
  /** Signs the shopper cookies with STOREFRONT_COOKIE_KEY. */
  cookies: CookieSigner;
  /** Catalog, inventory, orders and activity (see createCallees). */
  callees: Callees;
  /** Where server-side activity goes (startStorefront passes its background queue). */
  activity: ActivitySink;
  /** "Shoppers also viewed"; without it product pages show their category's best sellers. */
  alsoViewed?: AlsoViewed;
  settings?: Partial<StorefrontSettings>;
  bodyLimit?: string;
  isDraining?: () => boolean;
}

export interface StorefrontApp {
  app: Express;
  /** Upstream live stock streams; closed when the service stops. */
  live: LiveStock;
}

/** Builds the storefront's HTTP app: pages, the JSON API, live stock and static assets. */
export function createStorefrontApp(deps: StorefrontDeps): StorefrontApp {
  const settings = storefrontSettings(deps.settings);
  const { callees, cache, logger } = deps;
  const cookies = new ShopperCookies(deps.cookies, settings.COOKIE_SECURE);
  const live = new LiveStock((skus, signal) => callees.inventory.openLevels(skus, signal), logger, settings.MAX_LIVE_STREAMS);
  const assets = staticAssets();
  const clientOf = (req: Request) => clientAddress(req, settings.TRUSTED_PROXY_HOPS);
  const limit = (name: string, perWindow: number) => rateLimit({ cache, name, limit: perWindow, windowSeconds: settings.RATE_LIMIT_WINDOW_SECONDS, keyOf: clientOf });

  const ctx: RouteContext = {
    catalog: callees.catalog,
    inventory: callees.inventory,
    orders: callees.orders,
    cookies,
    carts: new CartActions(callees.orders, callees.inventory, deps.activity, cookies),
    checkout: new CheckoutActions(callees.orders, deps.activity, cookies),
    alsoViewed: deps.alsoViewed ?? noAlsoViewed,
    live,
    pages: new PageSender({
      times: { sharedMaxAgeSeconds: settings.PAGE_CACHE_SECONDS, staleWhileRevalidateSeconds: settings.PAGE_STALE_SECONDS },
      errorCacheSeconds: settings.ERROR_CACHE_SECONDS,
      contentSecurityPolicy: contentSecurityPolicy({ imageOrigin: settings.IMAGE_ORIGIN, upgradeInsecure: settings.COOKIE_SECURE }),
      logger,
    }),
    cache,
    logger,
    settings,
    assets: { css: assets.css.path, js: assets.js.path },
    categories: () =>
      readThrough(cache, 'storefront:categories', settings.CATALOG_CACHE_SECONDS, categoryListSchema, async () => ({ items: await callees.catalog.categories() }), logger).then((r) => r.items),
    limits: {
      api: limit('storefront-api', settings.API_RATE_LIMIT),
      mutations: limit('storefront-mutations', settings.MUTATION_RATE_LIMIT),
      live: limit('storefront-live', settings.LIVE_RATE_LIMIT),
    },
    clientOf,
  };

  const app = createHttpApp({
    logger,
    bodyLimit: deps.bodyLimit ?? '64kb',
    // The storefront holds no state of its own; a slow catalog shows as friendly 503 pages, not as every pod leaving the load balancer.
    readiness: {},
    routes: storefrontRoutes(ctx, assets),
    ...(deps.isDraining ? { isDraining: deps.isDraining } : {}),
  });
  return { app, live };
}
