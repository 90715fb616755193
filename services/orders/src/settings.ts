/** Tunables of carts and checkout; main.ts takes them from the config, tests pass what they need. */
export interface OrdersSettings {
  paymentTimeoutMs: number;
  holdSeconds: number;
  leaseSeconds: number;
  waitMs: number;
  shippingFeeMinor: number;
  freeShippingFromMinor: number | null;
  cartCacheTtlSeconds: number;
}

export const DEFAULT_ORDERS_SETTINGS: OrdersSettings = {
  paymentTimeoutMs: 10_000,
  holdSeconds: 900,
  leaseSeconds: 30,
  waitMs: 15_000,
  shippingFeeMinor: 0,
  freeShippingFromMinor: null,
  cartCacheTtlSeconds: 3600,
};
