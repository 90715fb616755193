import { Router, type Express } from 'express';
import { apiDocsRouter, Api, createHttpApp, pingDb, type Cache, type Knex, type Logger, type ObjectStore, type TokenVerifier } from '@shop/kit';

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
}

/** Builds the catalog HTTP app and the in-process parts its routes use. */
export function createCatalogApp(deps: CatalogDeps): CatalogApp {
  const api = new Api();
  const document = api.document({ title: 'Catalog API', version: '1.0.0', description: 'Products, variants, categories and search; admin API and CSV imports.' });
  const routes = Router();
  routes.use(apiDocsRouter(document));
  routes.use(api.router);
  const app = createHttpApp({
    logger: deps.logger,
    bodyLimit: deps.bodyLimit ?? '256kb',
    readiness: { database: () => pingDb(deps.db) },
    routes,
    ...(deps.isDraining ? { isDraining: deps.isDraining } : {}),
  });
  return { app };
}
