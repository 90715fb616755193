import { z } from 'zod';
import { baseConfigSchema, databaseSettings, objectSettings, pubsubSettings, redisSettings, tokenSettings } from '@shop/kit';

/** Where product images are served from: an absolute http(s) URL or a path on the shop's own origin. */
const assetsBaseUrl = z
  .string()
  .regex(/^(https?:\/\/[^\s]+|\/[^\s]*)$/, 'must be an http(s) URL or a path starting with /')
  .transform((v) => v.replace(/\/+$/, ''))
  .default('/assets');

const ttl = (fallback: number) => z.coerce.number().int().min(1).max(86_400).default(fallback);

export const catalogConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: z.string().default('catalog'),
  ...databaseSettings,
  ...redisSettings,
  ...pubsubSettings,
  ...tokenSettings,
  ...objectSettings,
  /** `gs://<bucket>/products/x.jpg` is shown as `<ASSETS_BASE_URL>/products/x.jpg` (the load balancer serves /assets/* from the bucket). */
  ASSETS_BASE_URL: assetsBaseUrl,
  /** Backstop lifetimes of cached product pages and listing pages; writes invalidate them sooner. */
  PRODUCT_CACHE_TTL_SECONDS: ttl(300),
  LISTING_CACHE_TTL_SECONDS: ttl(60),
});

export type CatalogConfig = z.infer<typeof catalogConfigSchema>;
