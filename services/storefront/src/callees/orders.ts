import { z } from 'zod';
import { cartViewSchema, orderViewSchema, uuidSchema, type CartView, type CheckoutBody, type OrderView } from '@shop/contracts';
import { ServiceCallError, type ServiceClient } from '@shop/kit';

/** GET /v1/checkouts/{id}: where a checkout stands (the parts the storefront reads). */
const checkoutStateSchema = z.object({ checkoutId: uuidSchema, status: z.enum(['running', 'succeeded', 'failed']), order: orderViewSchema.nullable() });
export type CheckoutState = z.infer<typeof checkoutStateSchema>;

const notFoundAsNull = async <T>(call: Promise<T>): Promise<T | null> => {
  try {
    return await call;
  } catch (err) {
    if (err instanceof ServiceCallError && err.status === 404) return null;
    throw err;
  }
};

/** Carts, checkout and orders (service token); every call names the shopper, and another shopper's cart or order is a 404. */
export class OrdersApi {
  constructor(
    private readonly client: ServiceClient,
    private readonly checkoutTimeoutMs: number,
  ) {}

  createCart(shopperId: string, idempotencyKey: string): Promise<CartView> {
    return this.client.post('/v1/carts', { shopperId }, cartViewSchema, { idempotencyKey });
  }

  /** The shopper's cart, or null when it is gone or not theirs. */
  cart(cartId: string, shopperId: string): Promise<CartView | null> {
    return notFoundAsNull(this.client.get(`/v1/carts/${encodeURIComponent(cartId)}`, cartViewSchema, { query: { shopperId } }));
  }

  /** Sets a line's quantity; 0 removes it. */
  setLine(cartId: string, shopperId: string, sku: string, quantity: number): Promise<CartView> {
    return this.client.put(`/v1/carts/${encodeURIComponent(cartId)}/lines/${encodeURIComponent(sku)}`, { shopperId, quantity }, cartViewSchema);
  }

  /** Places the order; orders answers every submit of one checkout id the same, so a repeat never places a second order. */
  checkout(body: CheckoutBody): Promise<OrderView> {
    return this.client.post('/v1/checkouts', body, orderViewSchema, { idempotencyKey: body.checkoutId, timeoutMs: this.checkoutTimeoutMs });
  }

  /** Where one of the shopper's checkouts stands, or null when orders never saw it. */
  checkoutState(checkoutId: string, shopperId: string): Promise<CheckoutState | null> {
    return notFoundAsNull(this.client.get(`/v1/checkouts/${encodeURIComponent(checkoutId)}`, checkoutStateSchema, { query: { shopperId } }));
  }

  /** One of the shopper's own orders, or null. */
  order(orderId: string, shopperId: string): Promise<OrderView | null> {
    return notFoundAsNull(this.client.get(`/v1/orders/${encodeURIComponent(orderId)}`, orderViewSchema, { query: { shopperId } }));
  }

  /** An order by number and the email it was placed with, or null. */
  lookup(number: string, email: string): Promise<OrderView | null> {
    return notFoundAsNull(this.client.get('/v1/orders/lookup', orderViewSchema, { query: { number, email } }));
  }
}
