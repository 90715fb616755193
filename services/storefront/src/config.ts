import { z } from 'zod';
import { currencySchema, MAX_ACTIVITY_BATCH } from '@shop/contracts';
import { baseConfigSchema, redisSettings } from '@shop/kit';

const flag = (fallback: 'true' | 'false') => z.enum(['true', 'false']).default(fallback).transform((v) => v === 'true');
const seconds = (fallback: number, max = 86_400) => z.coerce.number().int().min(0).max(max).default(fallback);
const count = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const serviceUrl = z.url().regex(/^https?:\/\//, 'must be an http(s) URL');

export const storefrontConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: z.string().default('storefront'),
  ...redisSettings,
  /** Signs the shopper, session and cart cookies; the activity service verifies them with the same key. */
  STOREFRONT_COOKIE_KEY: z.string().min(32, 'must be at least 32 characters'),
  CATALOG_URL: serviceUrl,
  INVENTORY_URL: serviceUrl,
  ORDERS_URL: serviceUrl,
  ACTIVITY_URL: serviceUrl,
  /** Secure cookies; only a plain-HTTP local run turns this off. */
  COOKIE_SECURE: flag('true'),
  /** How long Cloud CDN may serve a public page (s-maxage), and serve it stale while refetching. */
  PAGE_CACHE_SECONDS: seconds(60),
  PAGE_STALE_SECONDS: seconds(300),
  /** CDN lifetime of 4xx pages, kept short so a fixed product or category shows up soon. */
  ERROR_CACHE_SECONDS: seconds(10, 600),
  /** Categories and featured products are kept this long in the shared cache. */
  CATALOG_CACHE_SECONDS: seconds(30, 3_600),
  RATE_LIMIT_WINDOW_SECONDS: count(60, 3_600),
  /** Requests per client and window to the JSON API. */
  API_RATE_LIMIT: count(300, 100_000),
  /** Form posts and API changes (cart, checkout, order lookup) per client and window. */
  MUTATION_RATE_LIMIT: count(60, 100_000),
  /** Live stock connections opened per client and window. */
  LIVE_RATE_LIMIT: count(60, 100_000),
  /** Proxies that append to X-Forwarded-For (Google's load balancer adds the client and itself). */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(5).default(2),
  /** Upstream live stock connections one instance keeps open at most. */
  MAX_LIVE_STREAMS: count(500, 10_000),
  /** The built-in test payment provider is in use: the checkout page lists its test cards. */
  TEST_PAYMENTS: flag('false'),
  /** Products per listing page (category and search). */
  LISTING_PAGE_SIZE: count(24, 100),
  /** The currency shoppers type price filters in. */
  STORE_CURRENCY: currencySchema.default('EUR'),
  CALL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3_000),
  /** Placing an order waits for the payment provider; keep it above the orders service's payment timeout. */
  CHECKOUT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(120_000).default(20_000),
  ACTIVITY_BATCH_SIZE: count(50, MAX_ACTIVITY_BATCH),
  ACTIVITY_FLUSH_MS: z.coerce.number().int().min(10).max(60_000).default(1_000),
  /** Events held while the activity service is unreachable; the oldest are dropped beyond this. */
  ACTIVITY_QUEUE_MAX: count(10_000, 1_000_000),
  /** Another origin product images come from, allowed by the pages' Content-Security-Policy. */
  IMAGE_ORIGIN: z.url().optional(),
  /** The analytics dataset "shoppers also viewed" reads co-views from (BigQuery, in GOOGLE_CLOUD_PROJECT); absent: best sellers only. */
  BIGQUERY_DATASET: z.string().regex(/^[A-Za-z0-9_]{1,1024}$/, 'must be a BigQuery dataset id').optional(),
  ALSO_VIEWED_CACHE_SECONDS: seconds(600),
});

export type StorefrontConfig = z.infer<typeof storefrontConfigSchema>;

/** The settings the app itself reads (the rest pick adapters in main.ts); tests override a few. */
export const storefrontSettingsSchema = storefrontConfigSchema.pick({
  COOKIE_SECURE: true,
  PAGE_CACHE_SECONDS: true,
  PAGE_STALE_SECONDS: true,
  ERROR_CACHE_SECONDS: true,
  CATALOG_CACHE_SECONDS: true,
  RATE_LIMIT_WINDOW_SECONDS: true,
  API_RATE_LIMIT: true,
  MUTATION_RATE_LIMIT: true,
  LIVE_RATE_LIMIT: true,
  TRUSTED_PROXY_HOPS: true,
  MAX_LIVE_STREAMS: true,
  TEST_PAYMENTS: true,
  STORE_CURRENCY: true,
  LISTING_PAGE_SIZE: true,
  IMAGE_ORIGIN: true,
});

export type StorefrontSettings = z.infer<typeof storefrontSettingsSchema>;

/** Every setting at its default, with the given ones on top. */
export const storefrontSettings = (overrides: Partial<StorefrontSettings> = {}): StorefrontSettings => ({ ...storefrontSettingsSchema.parse({}), ...overrides });
