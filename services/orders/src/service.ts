import { listen, OutboxRelay, periodic, startHousekeeping, type EventBus, type Subscription } from '@shop/kit';
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
/** Runs the orders API, the outbox relay, the catalog-events consumer and the checkout recovery sweeper. */
export async function startOrdersService(deps: OrdersServiceDeps, options: { port: number; host: string; sweepIntervalMs?: number }): Promise<RunningOrders> {
  let draining = false;
  const orders = createOrdersApp({ ...deps, isDraining: () => draining });
  const relay = new OutboxRelay({ db: deps.db, bus: deps.bus, logger: deps.logger });
  await relay.start();
  const catalogEvents: Subscription = await consumeCatalogEvents({ bus: deps.bus, db: deps.db, logger: deps.logger, views: orders.views });
  const sweeper = periodic('checkout recovery sweep', options.sweepIntervalMs ?? SWEEP_INTERVAL_MS, () => orders.recovery.sweepAll().then(() => undefined), deps.logger);
  const housekeeping = startHousekeeping(deps.db, deps.logger);
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
      await housekeeping.stop();
      await server.close();
      await sweeper.stop();
      await catalogEvents.close();
      await relay.stop();
      orders.close();
    },
  };
}
