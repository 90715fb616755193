import type { Request, Response } from 'express';
import { categoryListSchema, orderViewSchema, productDetailSchema, productListQuerySchema, productPageSchema } from '@shop/contracts';
import { Api, HttpProblem, problems } from '@shop/kit';
import { publicCacheControl, PRIVATE, PUBLIC_VARY } from '../domain/cache-policy';
import { cachedIdempotency } from '../http/idempotency';
import { alsoViewedFor } from '../recommendations/also-viewed';
import * as s from './api-schemas';
import { streamStock } from './live';
import type { RouteContext } from './context';

const AVAILABILITY_CACHE_SECONDS = 5;
const ALSO_VIEWED_COUNT = 8;

/**
 * The public JSON API (backend for frontends) under /api/v1: the same flows as the pages. Catalog
 * reads are cacheable like the pages; everything about the shopper (cookies `sid`, `cart`, `ssn`)
 * is private. Refusals by orders (not enough stock, not for sale) pass through as its problems.
 */
export function buildApi(ctx: RouteContext): Api {
  const api = new Api();
  const idempotent = cachedIdempotency({
    cache: ctx.cache,
    scopes: (req, res) => {
      const returning = ctx.cookies.read(req).shopperId;
      return returning ? [`shopper:${returning}`] : [`shopper:${ctx.cookies.attach(req, res).shopperId}`, `client:${ctx.clientOf(req)}`];
    },
  });
  // The mutation rate limit already applies to every non-GET request (routes/index.ts).
  const mutating = [idempotent];
  const catalogTimes = { sharedMaxAgeSeconds: ctx.settings.PAGE_CACHE_SECONDS, staleWhileRevalidateSeconds: ctx.settings.PAGE_STALE_SECONDS };
  const publicJson = (res: Response, body: unknown, times = catalogTimes) => {
    // The CDN would hand one client's remaining count to everyone it serves the copy to.
    for (const header of ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']) res.removeHeader(header);
    res.set({ 'Cache-Control': publicCacheControl(times), Vary: PUBLIC_VARY }).json(body);
  };
  const privateJson = (res: Response, status: number, body: unknown) => {
    res.status(status).set('Cache-Control', PRIVATE).json(body);
  };

  api.route(
    { method: 'get', path: '/api/v1/categories', operationId: 'listCategories', summary: 'Every category, with its path from the root', tags: ['catalog'], secured: false, responses: { 200: { description: 'Categories', schema: categoryListSchema } } },
    async (_in, _req, res) => {
      publicJson(res, { items: await ctx.categories() });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api/v1/products',
      operationId: 'listProducts',
      summary: 'Products: by category, price range and stock, or a typo-tolerant search (q); cursor pagination',
      tags: ['catalog'],
      query: productListQuerySchema,
      secured: false,
      responses: { 200: { description: 'A page of products; nextCursor fetches the next', schema: productPageSchema } },
    },
    async ({ query }, _req, res) => {
      const { inStock, ...rest } = query;
      publicJson(res, await ctx.catalog.products({ ...rest, ...(inStock === undefined ? {} : { inStock: inStock ? 'true' : 'false' }) }));
    },
  );

  api.route(
    { method: 'get', path: '/api/v1/products/:slug', operationId: 'getProduct', summary: 'A product with its variants, prices and stock', tags: ['catalog'], params: s.slugParams, secured: false, responses: { 200: { description: 'Product', schema: productDetailSchema } } },
    async ({ params }, _req, res) => {
      const product = await ctx.catalog.product(params.slug);
      if (!product || product.status !== 'active') throw problems.notFound(`Product ${params.slug}`);
      publicJson(res, product);
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api/v1/products/:slug/also-viewed',
      operationId: 'getAlsoViewed',
      summary: 'Products shoppers also viewed (else best sellers of the same category)',
      tags: ['catalog'],
      params: s.slugParams,
      secured: false,
      responses: { 200: { description: 'Products', schema: productPageSchema.pick({ items: true }) } },
    },
    async ({ params }, _req, res) => {
      const product = await ctx.catalog.product(params.slug);
      if (!product || product.status !== 'active') throw problems.notFound(`Product ${params.slug}`);
      publicJson(res, { items: await alsoViewedFor(product, ALSO_VIEWED_COUNT, ctx.alsoViewed, ctx.catalog, ctx.logger) });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/api/v1/availability',
      operationId: 'getAvailability',
      summary: `Units for sale per SKU (up to ${s.MAX_SKUS_PER_QUERY}); /live/stock streams changes`,
      tags: ['catalog'],
      query: s.skuListQuery,
      secured: false,
      responses: { 200: { description: 'Availability', schema: s.availabilityResult } },
    },
    async ({ query }, _req, res) => {
      const items = await ctx.inventory.availability(query.skus);
      publicJson(res, { items }, { sharedMaxAgeSeconds: AVAILABILITY_CACHE_SECONDS, staleWhileRevalidateSeconds: AVAILABILITY_CACHE_SECONDS });
    },
  );

  api.route(
    {
      method: 'get',
      path: '/live/stock',
      operationId: 'streamStock',
      summary: 'Live stock (Server-Sent Events): a `stock` event with [{ sku, available }] now, then one per change',
      tags: ['catalog'],
      query: s.skuListQuery,
      secured: false,
      before: [ctx.limits.live],
      responses: { 200: { description: 'text/event-stream of `stock` events', contentType: 'text/event-stream' }, 503: { description: 'Live stock unavailable; retry after Retry-After' } },
    },
    async ({ query }, req, res) => {
      await streamStock(ctx.live, query.skus, req, res);
    },
  );

  api.route(
    { method: 'get', path: '/api/v1/cart', operationId: 'getCart', summary: "The shopper's cart (empty when they have none)", tags: ['cart'], secured: false, responses: { 200: { description: 'Cart', schema: s.storefrontCartSchema } } },
    async (_in, req, res) => {
      const shopper = ctx.cookies.attach(req, res);
      privateJson(res, 200, s.toStorefrontCart(await ctx.carts.currentWithStock(shopper)));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/api/v1/cart/items',
      operationId: 'addCartItem',
      summary: 'Adds units of a SKU to the cart (created on the first add)',
      tags: ['cart'],
      body: s.addItemBody,
      idempotent: true,
      secured: false,
      before: mutating,
      responses: { 200: { description: 'Cart', schema: s.storefrontCartSchema } },
    },
    async ({ body }, req, res) => {
      const shopper = ctx.cookies.attach(req, res);
      const cart = await ctx.carts.add(res, shopper, body.sku, body.quantity);
      privateJson(res, 200, s.toStorefrontCart(cart));
    },
  );

  api.route(
    {
      method: 'put',
      path: '/api/v1/cart/items/:sku',
      operationId: 'setCartItem',
      summary: "Sets a line's quantity; 0 removes it",
      tags: ['cart'],
      params: s.skuParams,
      body: s.setItemBody,
      idempotent: true,
      secured: false,
      before: mutating,
      responses: { 200: { description: 'Cart', schema: s.storefrontCartSchema } },
    },
    async ({ params, body }, req, res) => {
      const shopper = ctx.cookies.attach(req, res);
      const cart = await ctx.carts.set(shopper, params.sku, body.quantity);
      if (!cart && body.quantity > 0) throw problems.notFound(`Cart line ${params.sku}`);
      privateJson(res, 200, s.toStorefrontCart(cart));
    },
  );

  api.route(
    {
      method: 'delete',
      path: '/api/v1/cart/items/:sku',
      operationId: 'removeCartItem',
      summary: 'Removes a line',
      tags: ['cart'],
      params: s.skuParams,
      idempotent: true,
      secured: false,
      before: mutating,
      responses: { 200: { description: 'Cart', schema: s.storefrontCartSchema } },
    },
    async ({ params }, req, res) => {
      const shopper = ctx.cookies.attach(req, res);
      privateJson(res, 200, s.toStorefrontCart(await ctx.carts.set(shopper, params.sku, 0)));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/api/v1/checkout',
      operationId: 'checkout',
      summary: 'Places the order for the cart: reserves stock, takes the payment; a repeated checkoutId answers with the same order',
      tags: ['checkout'],
      body: s.checkoutRequestSchema,
      idempotent: true,
      secured: false,
      before: mutating,
      responses: {
        201: { description: 'Order placed', schema: orderViewSchema },
        402: { description: 'Card declined (payment-declined); nothing was charged' },
        409: { description: 'sold-out, checkout-expired, prices-changed, cart-unavailable, cart-empty or currency-mismatch: review the cart' },
        422: { description: 'checkout-id-reused: this checkoutId was sent with other details; mint a new one' },
        503: { description: 'Outcome not known yet (checkout-pending): send the same checkoutId again' },
        504: { description: 'The payment provider did not answer (payment-timeout); nothing was charged' },
      },
    },
    async ({ body }, req, res) => {
      const shopper = ctx.cookies.attach(req, res);
      const cart = await ctx.carts.current(shopper);
      if (cart && cart.lines.length > 0) ctx.checkout.started(cart, shopper);
      const result = await ctx.checkout.place(req, res, shopper, body);
      if (result.ok) {
        res.location(`/api/v1/orders/${encodeURIComponent(result.order.number)}`);
        privateJson(res, 201, result.order);
        return;
      }
      const { failure } = result;
      if (failure.kind === 'pending' || failure.kind === 'unavailable') res.setHeader('Retry-After', '5');
      const extensions = Object.keys(failure.fields).length ? { errors: Object.entries(failure.fields).map(([field, message]) => ({ field: `body.${field}`, message })) } : {};
      throw new HttpProblem(failure.status, failure.slug, failure.title, failure.message, extensions);
    },
  );

  api.route(
    {
      method: 'post',
      path: '/api/v1/orders/lookup',
      operationId: 'lookupOrder',
      summary: 'An order by its number and the email it was placed with (a POST keeps the email out of URLs)',
      tags: ['orders'],
      body: s.lookupBody,
      secured: false,
      responses: { 200: { description: 'Order', schema: orderViewSchema } },
    },
    async ({ body }, _req, res) => {
      const order = await ctx.orders.lookup(body.number, body.email);
      if (!order) throw problems.notFound(`Order ${body.number} for that email`);
      privateJson(res, 200, order);
    },
  );

  api.route(
    { method: 'get', path: '/api/v1/orders/:number', operationId: 'getOrder', summary: 'An order placed in this browser (others: POST /api/v1/orders/lookup)', tags: ['orders'], params: s.orderNumberParams, secured: false, responses: { 200: { description: 'Order', schema: orderViewSchema } } },
    async ({ params }, req: Request, res) => {
      const shopper = ctx.cookies.attach(req, res);
      const order = await ctx.checkout.recent(req, shopper, params.number);
      if (!order) throw problems.notFound(`Order ${params.number} placed in this browser`);
      privateJson(res, 200, order);
    },
  );

  return api;
}
