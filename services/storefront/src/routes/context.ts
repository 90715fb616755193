import type { Request, RequestHandler } from 'express';
import type { CategoryRef, CategoryView } from '@shop/contracts';
import type { Cache, Logger } from '@shop/kit';
import type { CatalogApi } from '../callees/catalog';
import type { InventoryApi } from '../callees/inventory';
import type { OrdersApi } from '../callees/orders';
import type { StorefrontSettings } from '../config';
import type { PageSender } from '../http/respond';
import type { ShopperCookies } from '../http/shopper';
import type { LiveStock } from '../live/live-stock';
import type { AlsoViewed } from '../recommendations/also-viewed';
import type { PageChrome } from '../render/layout';
import type { CartActions } from '../shopping/cart-actions';
import type { CheckoutActions } from '../shopping/checkout-actions';

/** What the routes share; built once per app in app.ts. */
export interface RouteContext {
  catalog: CatalogApi;
  inventory: InventoryApi;
  orders: OrdersApi;
  cookies: ShopperCookies;
  carts: CartActions;
  checkout: CheckoutActions;
  alsoViewed: AlsoViewed;
  live: LiveStock;
  pages: PageSender;
  cache: Cache;
  logger: Logger;
  settings: StorefrontSettings;
  assets: { css: string; js: string };
  /** Every category, through the shared cache. */
  categories(): Promise<CategoryView[]>;
  limits: { api: RequestHandler; mutations: RequestHandler; live: RequestHandler };
  /** Who is counted for rate limits and anonymous idempotency keys. */
  clientOf(req: Request): string;
}

export const navOf = (categories: CategoryView[]): CategoryRef[] =>
  categories.filter((c) => c.parentId === null).map(({ id, slug, name }) => ({ id, slug, name }));

/** The page frame; a catalog that cannot list its categories costs the navigation, not the page. */
export async function chromeOf(ctx: RouteContext, categories?: CategoryView[]): Promise<PageChrome> {
  if (categories) return { assets: ctx.assets, nav: navOf(categories) };
  try {
    return { assets: ctx.assets, nav: navOf(await ctx.categories()) };
  } catch (err) {
    ctx.logger.warn({ err }, 'categories unavailable; page shown without navigation');
    return { assets: ctx.assets, nav: [] };
  }
}
