import { listen, OutboxRelay, purgeExpiredIdempotencyKeys, purgePublishedOutbox, type EventBus } from '@shop/kit';
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
/** Old idempotency records and published outbox rows are removed this often. */
const HOUSEKEEPING_INTERVAL_MS = 10 * 60_000;

/** Runs the inventory API, the outbox relay, the hold sweeper and the import runner. */
export async function startInventoryService(deps: InventoryServiceDeps, options: { port: number; host: string; sweepIntervalMs?: number }): Promise<RunningInventory> {
  let draining = false;
  const inventory = createInventoryApp({ ...deps, isDraining: () => draining });
  await inventory.feed.start();
  const relay = new OutboxRelay({ db: deps.db, bus: deps.bus, logger: deps.logger });
  relay.start();
  let sweeping = false;
  const sweeper = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    void (async () => {
      try {
        while ((await inventory.reservations.expireDue()) > 0);
      } catch (err) {
        deps.logger.error({ err }, 'hold sweep failed');
      } finally {
        sweeping = false;
      }
    })();
  }, options.sweepIntervalMs ?? SWEEP_INTERVAL_MS);
  const housekeeping = setInterval(() => {
    void Promise.all([purgeExpiredIdempotencyKeys(deps.db), purgePublishedOutbox(deps.db)]).then(
      ([keys, events]) => deps.logger.info({ keys, events }, 'housekeeping removed expired idempotency keys and old published events'),
      (err: unknown) => deps.logger.error({ err }, 'housekeeping failed'),
    );
  }, HOUSEKEEPING_INTERVAL_MS);
  housekeeping.unref();
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
      clearInterval(sweeper);
      clearInterval(housekeeping);
      await inventory.feed.stop();
      await server.close();
      await inventory.imports.stop();
      await relay.stop();
    },
  };
}
