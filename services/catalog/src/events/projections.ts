import { inventoryEventDataSchema, orderEventDataSchema, SERVICES, SUBSCRIPTIONS, TOPICS, type CloudEvent, type TopicName } from '@shop/contracts';
import { consumeEvents, type EventBus, type Knex, type Subscription } from '@shop/kit';
import { invalidate, type Core } from '../operations/core';
import { addSales, applyLevel } from '../store/stock';

/** The catalog's subscription to a topic, as the platform's infrastructure creates it. */
export function subscriptionFor(topic: TopicName): string {
  const spec = SUBSCRIPTIONS.find((s) => s.consumer === SERVICES.catalog.name && s.topic === topic);
  if (!spec) throw new Error(`the platform gives the catalog no subscription to ${topic}`);
  return spec.name;
}

/** Runs `fn` once the transaction has committed; nothing when it rolls back (the event is redelivered). */
function afterCommit(trx: Knex.Transaction, fn: () => void): void {
  trx.executionPromise.then(fn, () => undefined);
}

/**
 * Every inventory event carries the resulting level of one SKU at one warehouse: it is kept
 * unless a newer one is stored, and the SKU's total decides what shoppers see as in stock.
 */
export function inventoryHandler(core: Core): (event: CloudEvent, trx: Knex.Transaction) => Promise<void> {
  return async (event, trx) => {
    if (!event.type.startsWith('inventory.')) return;
    // A malformed event throws: it is redelivered and then dead-lettered, never half applied.
    const data = inventoryEventDataSchema.parse(event.data);
    const applied = await applyLevel(trx, {
      sku: data.sku,
      warehouseId: data.warehouseId,
      available: data.level.available,
      onHand: data.level.onHand,
      reserved: data.level.reserved,
      time: event.time,
    });
    if (!applied || applied.before === applied.after) return;
    // Listings show only whether a product is in stock, so they go stale only when that flips.
    const flipped = applied.before > 0 !== applied.after > 0;
    afterCommit(trx, () => invalidate(core, { products: applied.products, listings: flipped }));
  };
}

/** Units sold per product from paid orders, for the best-selling sort (which refreshes with the listing TTL). */
export function ordersHandler(): (event: CloudEvent, trx: Knex.Transaction) => Promise<void> {
  return async (event, trx) => {
    if (event.type !== 'order.paid') return;
    const data = orderEventDataSchema.parse(event.data);
    const units = new Map<string, number>();
    for (const line of data.lines) units.set(line.productId, (units.get(line.productId) ?? 0) + line.quantity);
    await addSales(trx, units);
  };
}

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;
// Start-up waits this long for the subscriptions at most; a slower broker is waited for in the background.
const START_WAIT_MS = 10_000;

/**
 * The catalog's event consumers. A subscription that cannot be opened (Pub/Sub unreachable at
 * start-up) is retried in the background; the API serves meanwhile from what is stored.
 */
export class Projections {
  private readonly subscriptions: Subscription[] = [];
  private readonly retries = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly core: Core,
    private readonly bus: EventBus,
  ) {}

  /** Resolves once each subscription is open or has failed its first attempt, or after START_WAIT_MS. */
  async start(): Promise<void> {
    const opened = Promise.all([this.open(TOPICS.inventory, inventoryHandler(this.core)), this.open(TOPICS.orders, ordersHandler())]);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.core.logger.warn({ waitedMs: START_WAIT_MS }, 'event subscriptions not open yet; serving while they open');
        resolve();
      }, START_WAIT_MS);
      timer.unref();
    });
    await Promise.race([opened.then(() => undefined), waited]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await Promise.all(this.subscriptions.splice(0).map((s) => s.close()));
  }

  private async open(topic: TopicName, handle: (event: CloudEvent, trx: Knex.Transaction) => Promise<void>, delayMs = RETRY_FIRST_MS): Promise<void> {
    if (this.stopped) return;
    const subscription = subscriptionFor(topic);
    try {
      const opened = await consumeEvents({ bus: this.bus, db: this.core.db, logger: this.core.logger, topic, subscription, consumer: subscription, handle });
      if (this.stopped) await opened.close();
      else this.subscriptions.push(opened);
    } catch (err) {
      this.core.logger.error({ err, subscription, retryInMs: delayMs }, 'could not subscribe; retrying');
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        void this.open(topic, handle, Math.min(delayMs * 2, RETRY_MAX_MS));
      }, delayMs);
      timer.unref();
      this.retries.add(timer);
    }
  }
}
