import { Router, type Express } from 'express';
import {
  apiDocsRouter,
  createHttpApp,
  idempotency,
  pingDb,
  type Cache,
  type Knex,
  type Logger,
  type ObjectStore,
  type TokenVerifier,
} from '@shop/kit';
import { LiveFeed } from './live';
import type { Core } from './operations/core';
import { ImportRunner } from './operations/imports';
import { Reservations } from './operations/reservations';
import { buildApi, uploadUri } from './routes/index';

export { INVENTORY_MIGRATIONS_DIR } from './migrations-dir';

export interface InventoryDeps {
  db: Knex;
  cache: Cache;
  logger: Logger;
  verifyToken: TokenVerifier;
  objects: ObjectStore;
  /** Bucket that receives uploaded import files. */
  importsBucket: string;
  bodyLimit?: string;
  isDraining?: () => boolean;
}

export interface InventoryApp {
  app: Express;
  feed: LiveFeed;
  reservations: Reservations;
  imports: ImportRunner;
  core: Core;
}

/** Builds the inventory HTTP app and the in-process parts its routes use. */
export function createInventoryApp(deps: InventoryDeps): InventoryApp {
  const feed = new LiveFeed(deps.cache, deps.logger);
  const core: Core = { db: deps.db, logger: deps.logger, onCommitted: (levels) => feed.publish(levels) };
  const reservations = new Reservations(core);
  const imports = new ImportRunner(core, deps.objects, deps.logger);
  const api = buildApi({
    core,
    verifyToken: deps.verifyToken,
    reservations,
    imports,
    feed,
    idempotent: idempotency({ db: deps.db, scope: (req) => `inventory:${req.principal?.subject ?? 'anonymous'}` }),
    storeUpload: async (content) => {
      const uri = uploadUri(deps.importsBucket);
      await deps.objects.write(uri, content, 'text/csv');
      return uri;
    },
  });
  const document = api.document({
    title: 'Inventory API',
    version: '1.0.0',
    description: 'Stock across warehouses: receive, adjust, count, transfer, reserve, commit, fulfil, release; ledger, imports and live levels.',
  });
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
  return { app, feed, reservations, imports, core };
}
