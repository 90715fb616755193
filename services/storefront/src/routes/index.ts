import { Router, type NextFunction, type Request, type Response } from 'express';
import type { StaticAssets } from '../static/assets';
import { buildApi } from './api';
import { cartPages } from './cart-pages';
import { catalogPages } from './catalog-pages';
import { checkoutPages } from './checkout-pages';
import type { RouteContext } from './context';
import { errorHandler, notFound } from './errors';
import { orderPages } from './order-pages';

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Every route of the storefront, in the order requests meet them. */
export function storefrontRoutes(ctx: RouteContext, assets: StaticAssets): Router {
  const router = Router();
  router.use(assets.router);
  // Every change (form posts and API writes alike) counts against the mutation limit.
  router.use((req: Request, res: Response, next: NextFunction) => (READS.has(req.method) ? next() : ctx.limits.mutations(req, res, next)));

  const api = buildApi(ctx);
  const document = api.document({
    title: 'Storefront API',
    version: '1.0.0',
    description: 'The shop for apps: categories, products and search, availability and live stock, the cart (cookie session), checkout and orders. No token: the shopper is identified by the signed cookies sid, cart and ssn.',
  });
  router.get('/api/openapi.json', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(document);
  });
  router.use('/api/v1', ctx.limits.api);
  router.use(api.router);

  router.use(catalogPages(ctx));
  router.use(cartPages(ctx));
  router.use(checkoutPages(ctx));
  router.use(orderPages(ctx));
  router.use(notFound());
  router.use(errorHandler(ctx));
  return router;
}
