import { listen, OutboxRelay, startHousekeeping, type EventBus } from '@shop/kit';
import { createCatalogApp, type CatalogDeps } from './app';
import { Projections } from './events/projections';
import { pruneSearchWords } from './store/housekeeping';

export interface CatalogServiceDeps extends CatalogDeps {
  bus: EventBus;
}

export interface RunningCatalog {
  url: string;
  port: number;
  relay: OutboxRelay;
  /** Marks the instance not ready (readiness turns 503) ahead of stop(). */
  beginDrain(): void;
  stop(): Promise<void>;
}

/** Runs the catalog API, the outbox relay, the stock and sales projections and the import runner. */
export async function startCatalogService(deps: CatalogServiceDeps, options: { port: number; host: string }): Promise<RunningCatalog> {
  let draining = false;
  const catalog = createCatalogApp({ ...deps, isDraining: () => draining });
  const relay = new OutboxRelay({ db: deps.db, bus: deps.bus, logger: deps.logger });
  await relay.start();
  const projections = new Projections(catalog.core, deps.bus);
  await projections.start();
  const housekeeping = startHousekeeping(deps.db, deps.logger, { searchWords: () => pruneSearchWords(deps.db) });
  catalog.imports.kick();
  const server = await listen(catalog.app, options.port, options.host);
  deps.logger.info({ url: server.url }, 'catalog listening');
  return {
    url: server.url,
    port: server.port,
    relay,
    beginDrain: () => {
      draining = true;
    },
    stop: async () => {
      draining = true;
      await housekeeping.stop();
      await server.close();
      await projections.stop();
      await catalog.imports.stop();
      await relay.stop();
      catalog.close();
    },
  };
}
