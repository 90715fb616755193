import { Router, type Express } from 'express';
import { apiDocsRouter, createHttpApp, idempotency, pingDb, type Cache, type Knex, type Logger, type ObjectStore, type TokenVerifier } from '@shop/kit';
import { DEFAULT_CACHE_TTL, ReadCache } from './cache/read-cache';
import type { Core } from './operations/core';
import { ImportRunner } from './operations/imports';
import { buildApi, uploadUri } from './routes/index';

export { CATALOG_MIGRATIONS_DIR } from './migrations-dir';

export interface CatalogDeps {
  db: Knex;
  cache: Cache;
  logger: Logger;
  verifyToken: TokenVerifier;
  /** Where CSV imports are read from (Cloud Storage in production, a folder locally). */
  objects: ObjectStore;
  /** Bucket that receives uploaded import files; default `shop-imports`. */
  importsBucket?: string;
  /** Base of image URLs; default `/assets`. */
  assetsBaseUrl?: string;
  /** Backstop cache lifetimes in seconds; defaults 300 (products) and 60 (listings). */
  cacheTtl?: { productSeconds?: number; listingSeconds?: number };
  bodyLimit?: string;
  isDraining?: () => boolean;
}

export interface CatalogApp {
  app: Express;
  /** What the routes, the import runner and the event projections share. */
  core: Core;
  imports: ImportRunner;
  /** Stops the read cache's pending invalidation timers. */
  close(): void;
}

/** Builds the catalog HTTP app and the in-process parts its routes use. */
export function createCatalogApp(deps: CatalogDeps): CatalogApp {
  const cache = new ReadCache(deps.cache, deps.logger, { ...DEFAULT_CACHE_TTL, ...definedOnly(deps.cacheTtl ?? {}) });
  const core: Core = { db: deps.db, logger: deps.logger, cache, view: { assetsBaseUrl: (deps.assetsBaseUrl ?? '/assets').replace(/\/+$/, '') } };
  const imports = new ImportRunner(core, deps.objects, deps.logger);
  const importsBucket = deps.importsBucket ?? 'shop-imports';
  const api = buildApi({
    core,
    verifyToken: deps.verifyToken,
    imports,
    idempotent: idempotency({ db: deps.db, scope: (req) => `catalog:${req.principal?.subject ?? 'anonymous'}` }),
    storeUpload: async (content) => {
      const uri = uploadUri(importsBucket);
      await deps.objects.write(uri, content, 'text/csv');
      return uri;
    },
  });
  const document = api.document({
    title: 'Catalog API',
    version: '1.0.0',
    description: 'Products, variants and categories. Public reads (listing, typo-tolerant search, product pages, categories, SKU prices) need no token; the admin API needs the admin role.',
  });
  const routes = Router();
  // The API first: the hot product route is matched before the documentation's routes are tried.
  routes.use(api.router);
  routes.use(apiDocsRouter(document));
  const app = createHttpApp({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit ?? '256kb',
    readiness: { database: () => pingDb(deps.db) },
    routes,
    ...(deps.isDraining ? { isDraining: deps.isDraining } : {}),
  });
  return { app, core, imports, close: () => cache.close() };
}

function definedOnly(ttl: { productSeconds?: number; listingSeconds?: number }): Partial<{ productSeconds: number; listingSeconds: number }> {
  return Object.fromEntries(Object.entries(ttl).filter(([, v]) => v !== undefined));
}
