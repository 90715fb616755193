import { listen, OutboxRelay, purgeExpiredIdempotencyKeys, purgePublishedOutbox, type EventBus } from '@shop/kit';
import { TOPICS } from '@shop/contracts';
import { createCatalogApp, type CatalogDeps } from './app';
import { Projections, subscriptionFor } from './events/projections';
import { pruneSearchWords, purgeProcessedEvents } from './store/housekeeping';

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

/** Old idempotency records, published outbox rows, records of handled events and unused search words are removed this often. */
const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/** Runs the catalog API, the outbox relay, the stock and sales projections and the import runner. */
export async function startCatalogService(deps: CatalogServiceDeps, options: { port: number; host: string }): Promise<RunningCatalog> {
  let draining = false;
  const catalog = createCatalogApp({ ...deps, isDraining: () => draining });
  const relay = new OutboxRelay({ db: deps.db, bus: deps.bus, logger: deps.logger });
  await relay.start();
  const projections = new Projections(catalog.core, deps.bus);
  await projections.start();
  const consumers = [subscriptionFor(TOPICS.inventory), subscriptionFor(TOPICS.orders)];
  const housekeeping = setInterval(() => {
    void Promise.all([purgeExpiredIdempotencyKeys(deps.db), purgePublishedOutbox(deps.db), purgeProcessedEvents(deps.db, consumers), pruneSearchWords(deps.db)]).then(
      ([keys, events, handled, words]) => deps.logger.info({ keys, events, handled, words }, 'housekeeping removed expired idempotency keys, old published events, old records of handled events and unused search words'),
      (err: unknown) => deps.logger.error({ err }, 'housekeeping failed'),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();
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
      clearInterval(housekeeping);
      await server.close();
      await projections.stop();
      await catalog.imports.stop();
      await relay.stop();
      catalog.close();
    },
  };
}
