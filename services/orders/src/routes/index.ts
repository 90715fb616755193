import type { Request, RequestHandler, Response } from 'express';
import {
  cancelOrderBodySchema,
  cartQuerySchema,
  cartViewSchema,
  checkoutBodySchema,
  createCartBodySchema,
  orderLookupQuerySchema,
  orderViewSchema,
  setCartLineBodySchema,
  TEST_CARDS,
} from '@shop/contracts';
import { Api, authenticate, HttpProblem, IDEMPOTENT_REPLAYED_HEADER, problems, type Knex, type TokenVerifier } from '@shop/kit';
import { normalizeOrderNumber } from '../domain/order-number';
import type { Carts } from '../operations/carts';
import type { CheckoutSaga } from '../operations/checkout';
import type { OrderActions } from '../operations/order-actions';
import { orderView } from '../operations/order-records';
import { findOrder, findOrderByNumber, listOrders } from '../store/orders';
import { requireRole, shopperScope } from './access';
import * as s from './schemas';

export interface RouteDeps {
  db: Knex;
  verifyToken: TokenVerifier;
  carts: Carts;
  saga: CheckoutSaga;
  actions: OrderActions;
  /** Idempotency-Key handling for mutating routes. */
  idempotent: RequestHandler;
}

export const ORDERS_API_DESCRIPTION = [
  'Carts, checkout and orders. The storefront calls with its service identity and names the shopper in every call (a cart or order of another shopper is answered 404); staff call with admin tokens.',
  '',
  'Checkout is idempotent by its `checkoutId`: every submit of one checkout page (double clicks, retries, other instances) gets the same answer and at most one order is placed.',
  '',
  'Test cards of the built-in test payment provider (any future expiry such as 12/34, any CVC):',
  `- \`${TEST_CARDS.approved}\`: approved`,
  `- \`${TEST_CARDS.declined}\`: declined (402 payment-declined)`,
  `- \`${TEST_CARDS.timeout}\`: never answers (the checkout gives up after PAYMENT_TIMEOUT_MS, voids and answers 504 payment-timeout)`,
  '- any other number: declined as unknown',
  '',
  'Only the card brand and last four digits are kept. A payment is `pending` while its authorization is being requested.',
].join('\n');

const retryAfterOf = (err: unknown): number | null => {
  const seconds = err instanceof HttpProblem ? err.extensions.retryAfterSeconds : undefined;
  return typeof seconds === 'number' ? seconds : null;
};

/** Problems that say when to come back carry a Retry-After header too. */
async function answering(res: Response, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const seconds = retryAfterOf(err);
    if (seconds !== null) res.setHeader('Retry-After', String(seconds));
    throw err;
  }
}

const sendProblemBody = (req: Request, res: Response, status: number, body: object) => {
  res.status(status).type('application/problem+json').json({ ...body, instance: req.originalUrl });
};

export function buildApi(deps: RouteDeps): Api {
  const api = new Api();
  const auth = authenticate(deps.verifyToken);
  const mutating = [auth, deps.idempotent];

  api.route(
    { method: 'post', path: '/v1/carts', operationId: 'createCart', summary: 'Create an empty cart for a shopper', tags: ['carts'], body: createCartBodySchema, idempotent: true, before: mutating, responses: { 201: { description: 'Created', schema: cartViewSchema } } },
    async ({ body }, req, res) => {
      requireRole(req, 'service', 'admin');
      const view = await deps.carts.create(body.shopperId);
      res.status(201).location(`/v1/carts/${view.id}`).json(view);
    },
  );
  api.route(
    { method: 'get', path: '/v1/carts/:id', operationId: 'getCart', summary: 'A shopper\'s cart, with the price and stock seen at its last change', tags: ['carts'], params: s.idParams, query: cartQuerySchema, before: [auth], responses: { 200: { description: 'Cart', schema: cartViewSchema } } },
    async ({ params, query }, req, res) => {
      requireRole(req, 'service', 'admin');
      res.json(await deps.carts.view(params.id, query.shopperId));
    },
  );
  api.route(
    {
      method: 'put',
      path: '/v1/carts/:id/lines/:sku',
      operationId: 'setCartLine',
      summary: 'Set the quantity of a SKU in the cart (0 removes it); price and stock are checked',
      tags: ['carts'],
      params: s.cartLineParams,
      body: setCartLineBodySchema,
      idempotent: true,
      before: mutating,
      responses: {
        200: { description: 'Cart after the change', schema: cartViewSchema },
        409: { description: 'More than available (problem carries `available`), another currency, or the cart is full' },
        422: { description: 'Unknown or unsellable SKU' },
      },
    },
    async ({ params, body }, req, res) => {
      requireRole(req, 'service', 'admin');
      res.json(await deps.carts.setLine(params.id, body.shopperId, params.sku, body.quantity));
    },
  );
  api.route(
    { method: 'delete', path: '/v1/carts/:id/lines/:sku', operationId: 'removeCartLine', summary: 'Remove a SKU from the cart', tags: ['carts'], params: s.cartLineParams, query: cartQuerySchema, idempotent: true, before: mutating, responses: { 200: { description: 'Cart after the change', schema: cartViewSchema } } },
    async ({ params, query }, req, res) => {
      requireRole(req, 'service', 'admin');
      res.json(await deps.carts.setLine(params.id, query.shopperId, params.sku, 0));
    },
  );

  api.route(
    {
      method: 'post',
      path: '/v1/checkouts',
      operationId: 'checkout',
      summary: 'Check out a cart: reserve stock, place the order, take the payment (idempotent by checkoutId; the Idempotency-Key header adds nothing)',
      tags: ['checkout'],
      body: checkoutBodySchema,
      idempotent: true,
      before: [auth],
      responses: {
        201: { description: 'Order placed and paid (repeats of the checkout get the same answer)', schema: orderViewSchema },
        402: { description: 'payment-declined: the order was cancelled and its stock released' },
        409: { description: 'sold-out (problem lists `shortages`), prices-changed, cart-empty, cart-unavailable, currency-mismatch or checkout-expired' },
        422: { description: 'checkout-id-reused: the checkoutId was submitted for another cart, shopper, email or address' },
        503: { description: 'payment-unavailable, inventory-unavailable, or checkout-pending (repeat the submit after Retry-After)' },
        504: { description: 'payment-timeout: the provider did not answer; the authorization was voided and nothing was charged' },
      },
    },
    async ({ body }, req, res) => {
      requireRole(req, 'service', 'admin');
      await answering(res, async () => {
        const reply = await deps.saga.submit(body);
        if (reply.repeated) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
        if ('order' in reply) res.status(reply.status).location(`/v1/orders/${reply.order.id}`).json(reply.order);
        else sendProblemBody(req, res, reply.status, reply.problem);
      });
    },
  );
  api.route(
    { method: 'get', path: '/v1/checkouts/:id', operationId: 'getCheckout', summary: 'Where a checkout stands: running, or its order or problem', tags: ['checkout'], params: s.idParams, query: cartQuerySchema, before: [auth], responses: { 200: { description: 'Checkout', schema: s.checkoutStateView } } },
    async ({ params, query }, req, res) => {
      requireRole(req, 'service', 'admin');
      res.json(await deps.saga.state(params.id, query.shopperId));
    },
  );

  api.route(
    { method: 'get', path: '/v1/orders', operationId: 'listOrders', summary: 'Orders, newest first, paginated by cursor (staff)', tags: ['orders'], query: s.orderListQuery, before: [auth], responses: { 200: { description: 'Orders', schema: s.orderPage } } },
    async ({ query }, req, res) => {
      requireRole(req, 'admin');
      const page = await listOrders(deps.db, query);
      res.json({ items: page.items.map(orderView), nextCursor: page.nextCursor });
    },
  );
  api.route(
    { method: 'get', path: '/v1/orders/lookup', operationId: 'lookUpOrder', summary: 'Find an order by its number and the email it was placed with', tags: ['orders'], query: orderLookupQuerySchema, before: [auth], responses: { 200: { description: 'Order', schema: orderViewSchema } } },
    async ({ query }, req, res) => {
      requireRole(req, 'service', 'admin');
      const order = await findOrderByNumber(deps.db, normalizeOrderNumber(query.number));
      // A wrong email is answered like an unknown number, so numbers cannot be probed.
      if (!order || order.email.toLowerCase() !== query.email.trim().toLowerCase()) throw problems.notFound(`Order ${query.number}`);
      res.json(orderView(order));
    },
  );
  api.route(
    { method: 'get', path: '/v1/orders/:id', operationId: 'getOrder', summary: 'An order (the storefront names the shopper)', tags: ['orders'], params: s.idParams, query: s.shopperQuery, before: [auth], responses: { 200: { description: 'Order', schema: orderViewSchema } } },
    async ({ params, query }, req, res) => {
      const scope = shopperScope(requireRole(req, 'service', 'admin'), query.shopperId);
      const order = await findOrder(deps.db, params.id);
      if (!order || (scope !== null && order.shopperId !== scope)) throw problems.notFound(`Order ${params.id}`);
      res.json(orderView(order));
    },
  );

  const actionResponses = (done: string) => ({
    200: { description: done, schema: orderViewSchema },
    202: { description: 'Recorded; an outside call is being retried and the change completes shortly', schema: orderViewSchema },
    409: { description: 'illegal-transition (not possible in this state), order-busy or checkout-in-progress' },
  });
  api.route(
    {
      method: 'post',
      path: '/v1/orders/:id/cancel',
      operationId: 'cancelOrder',
      summary: 'Cancel an order: pending payment → voided and stock released (cancelled); paid → refunded and stock released (refunded)',
      tags: ['orders'],
      params: s.idParams,
      query: s.shopperQuery,
      body: cancelOrderBodySchema,
      idempotent: true,
      before: mutating,
      responses: actionResponses('Cancelled or refunded'),
    },
    async ({ params, query, body }, req, res) => {
      const scope = shopperScope(requireRole(req, 'service', 'admin'), query.shopperId);
      await answering(res, async () => {
        const result = await deps.actions.act(params.id, 'cancel', body.reason, scope);
        res.status(result.done ? 200 : 202).json(orderView(result.order));
      });
    },
  );
  api.route(
    { method: 'post', path: '/v1/orders/:id/fulfil', operationId: 'fulfilOrder', summary: 'Mark a paid order shipped (inventory takes the goods off hand) (staff)', tags: ['orders'], params: s.idParams, idempotent: true, before: mutating, responses: actionResponses('Fulfilled') },
    async ({ params }, req, res) => {
      requireRole(req, 'admin');
      await answering(res, async () => {
        const result = await deps.actions.act(params.id, 'fulfil', null, null);
        res.status(result.done ? 200 : 202).json(orderView(result.order));
      });
    },
  );
  api.route(
    { method: 'post', path: '/v1/orders/:id/refund', operationId: 'refundOrder', summary: 'Refund a paid or fulfilled order; unshipped stock goes back on sale (staff)', tags: ['orders'], params: s.idParams, body: s.refundBody, idempotent: true, before: mutating, responses: actionResponses('Refunded') },
    async ({ params, body }, req, res) => {
      requireRole(req, 'admin');
      await answering(res, async () => {
        const result = await deps.actions.act(params.id, 'refund', body.reason, null);
        res.status(result.done ? 200 : 202).json(orderView(result.order));
      });
    },
  );

  return api;
}
