import { listen, OutboxRelay, periodic, startHousekeeping, type EventBus } from '@shop/kit';
import { createInventoryApp, type InventoryDeps } from './app';

export interface InventoryServiceDeps extends InventoryDeps {
  bus: EventBus;
}

export interface RunningInventory {
  url: string;
  port: number;
  relay: OutboxRelay;
  /** Marks the instance not ready (readiness turns 503) ahead of stop(). */
  beginDrain(): void;
  stop(): Promise<void>;
}

const SWEEP_INTERVAL_MS = 1_000;

/** Runs the inventory API, the outbox relay, the hold sweeper and the import runner. */
export async function startInventoryService(deps: InventoryServiceDeps, options: { port: number; host: string; sweepIntervalMs?: number }): Promise<RunningInventory> {
  let draining = false;
  const inventory = createInventoryApp({ ...deps, isDraining: () => draining });
  await inventory.feed.start();
  const relay = new OutboxRelay({ db: deps.db, bus: deps.bus, logger: deps.logger });
  relay.start();
  const sweeper = periodic(
    'hold sweep',
    options.sweepIntervalMs ?? SWEEP_INTERVAL_MS,
    async () => {
      while ((await inventory.reservations.expireDue()) > 0);
    },
    deps.logger,
  );
  const housekeeping = startHousekeeping(deps.db, deps.logger);
  inventory.imports.kick();
  const server = await listen(inventory.app, options.port, options.host);
  deps.logger.info({ url: server.url }, 'inventory listening');
  return {
    url: server.url,
    port: server.port,
    relay,
    beginDrain: () => {
      draining = true;
    },
    stop: async () => {
      draining = true;
      await sweeper.stop();
      await housekeeping.stop();
      await inventory.feed.stop();
      await server.close();
      await inventory.imports.stop();
      await relay.stop();
    },
  };
}
