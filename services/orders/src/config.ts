import { z } from 'zod';
import { baseConfigSchema, databaseSettings, pubsubSettings, redisSettings, tokenSettings } from '@shop/kit';
import type { OrdersSettings } from './settings';

/** Payment providers with an adapter; `test` never moves money (see TEST_CARDS). */
export const PAYMENT_PROVIDERS = ['test'] as const;

export const ordersConfigSchema = baseConfigSchema
  .extend({
    SERVICE_NAME: z.string().default('orders'),
    ...databaseSettings,
    ...redisSettings,
    ...pubsubSettings,
    ...tokenSettings,
    /** Catalog's read API (prices of SKUs); called without a token. */
    CATALOG_URL: z.url(),
    /** Inventory API (availability, reservations); called with this workload's identity. */
    INVENTORY_URL: z.url(),
    PAYMENT_PROVIDER: z.enum(PAYMENT_PROVIDERS).default('test'),
    /** API key of a real provider's adapter (Secret Manager `payment-provider-key`); the test provider needs none. */
    PAYMENT_PROVIDER_KEY: z.string().min(1).optional(),
    /** How long a checkout waits for the provider's authorization before voiding and giving up. */
    PAYMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Lifetime of the stock hold a checkout takes; it is committed or released long before. */
    CHECKOUT_HOLD_SECONDS: z.coerce.number().int().min(60).max(24 * 3600).default(900),
    /** How long one instance owns a running checkout before the recovery sweeper may take it over. */
    CHECKOUT_LEASE_SECONDS: z.coerce.number().int().min(2).max(600).default(30),
    /** How long a repeated submit waits for the first one's result before answering 503 with Retry-After. */
    CHECKOUT_WAIT_MS: z.coerce.number().int().min(0).max(120_000).default(15_000),
    SHIPPING_FEE_MINOR: z.coerce.number().int().min(0).max(1_000_000).default(0),
    /** Orders with a subtotal at or above this ship free; absent means the fee always applies. */
    FREE_SHIPPING_FROM_MINOR: z.coerce.number().int().min(0).optional(),
    CART_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(3600),
  })
  .refine((c) => c.CHECKOUT_LEASE_SECONDS * 1000 >= c.PAYMENT_TIMEOUT_MS + 10_000, {
    path: ['CHECKOUT_LEASE_SECONDS'],
    message: 'must exceed PAYMENT_TIMEOUT_MS by at least 10 s, so a checkout waiting for the provider is not taken over',
  })
  .refine((c) => c.CHECKOUT_HOLD_SECONDS > c.CHECKOUT_LEASE_SECONDS * 2, {
    path: ['CHECKOUT_HOLD_SECONDS'],
    message: 'must be more than twice CHECKOUT_LEASE_SECONDS, so the hold outlives a recovered checkout',
  });

export type OrdersConfig = z.infer<typeof ordersConfigSchema>;

export function settingsFrom(config: OrdersConfig): OrdersSettings {
  return {
    paymentTimeoutMs: config.PAYMENT_TIMEOUT_MS,
    holdSeconds: config.CHECKOUT_HOLD_SECONDS,
    leaseSeconds: config.CHECKOUT_LEASE_SECONDS,
    waitMs: config.CHECKOUT_WAIT_MS,
    shippingFeeMinor: config.SHIPPING_FEE_MINOR,
    freeShippingFromMinor: config.FREE_SHIPPING_FROM_MINOR ?? null,
    cartCacheTtlSeconds: config.CART_CACHE_TTL_SECONDS,
  };
}
