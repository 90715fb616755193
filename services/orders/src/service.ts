import { listen, OutboxRelay, purgeExpiredIdempotencyKeys, purgePublishedOutbox, type EventBus, type Subscription } from '@shop/kit';
import { createOrdersApp, type OrdersDeps } from './app';
import { consumeCatalogEvents } from './operations/catalog-consumer';

export interface OrdersServiceDeps extends OrdersDeps {
  bus: EventBus;
}

export interface RunningOrders {
  url: string;
  port: number;
  relay: OutboxRelay;
  /** Marks the instance not ready (readiness turns 503) ahead of stop(). */
  beginDrain(): void;
  stop(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1_000;
/** Old idempotency records and published outbox rows are removed this often. */
const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/** Runs the orders API, the outbox relay, the catalog-events consumer and the checkout recovery sweeper. */
export async function startOrdersService(deps: OrdersServiceDeps, options: { port: number; host: string; sweepIntervalMs?: number }): Promise<RunningOrders> {
  let draining = false;
  const orders = createOrdersApp({ ...deps, isDraining: () => draining });
  const relay = new OutboxRelay({ db: deps.db, bus: deps.bus, logger: deps.logger });
  await relay.start();
  const catalogEvents: Subscription = await consumeCatalogEvents({ bus: deps.bus, db: deps.db, logger: deps.logger, views: orders.views });
  let sweeping: Promise<void> | null = null;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = orders.recovery
      .sweepAll()
      .then(
        () => undefined,
        (err: unknown) => deps.logger.error({ err }, 'checkout recovery sweep failed'),
      )
      .finally(() => {
        sweeping = null;
      });
  }, options.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
  const housekeeping = setInterval(() => {
    void Promise.all([purgeExpiredIdempotencyKeys(deps.db), purgePublishedOutbox(deps.db)]).then(
      ([keys, events]) => deps.logger.info({ keys, events }, 'housekeeping removed expired idempotency keys and old published events'),
      (err: unknown) => deps.logger.error({ err }, 'housekeeping failed'),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();
  const server = await listen(orders.app, options.port, options.host);
  deps.logger.info({ url: server.url }, 'orders listening');
  return {
    url: server.url,
    port: server.port,
    relay,
    beginDrain: () => {
      draining = true;
    },
    stop: async () => {
      draining = true;
      clearInterval(sweeper);
      clearInterval(housekeeping);
      await server.close();
      await sweeping;
      await catalogEvents.close();
      await relay.stop();
      orders.close();
    },
  };
}
