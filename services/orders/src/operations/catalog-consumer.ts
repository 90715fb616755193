import { productEventDataSchema, SERVICES, SUBSCRIPTIONS, TOPICS, type CloudEvent } from '@shop/contracts';
import { consumeEvents, type EventBus, type Knex, type Logger, type Subscription } from '@shop/kit';
import { removeProductLines } from '../store/carts';
import type { CartViews } from './cart-views';

export const CATALOG_SUBSCRIPTION = SUBSCRIPTIONS.find((s) => s.consumer === SERVICES.orders.name && s.topic === TOPICS.catalog)!.name;

const PRODUCT_EVENTS = new Set(['catalog.product_created', 'catalog.product_updated', 'catalog.product_deleted']);

/**
 * A product that is deleted or no longer active leaves every cart. Carts are changed in the
 * transaction that records the event as processed, so a redelivery changes nothing twice.
 */
export async function applyCatalogEvent(event: CloudEvent, trx: Knex.Transaction, views: CartViews, logger: Logger): Promise<number> {
  if (!PRODUCT_EVENTS.has(event.type)) return 0;
  const product = productEventDataSchema.parse(event.data);
  if (event.type !== 'catalog.product_deleted' && product.status === 'active' && product.deletedAt === null) return 0;
  const changed = await removeProductLines(trx, product.productId, product.variants.map((v) => v.sku));
  if (changed.length) {
    logger.info({ productId: product.productId, carts: changed.length, eventType: event.type }, 'product left carts');
    await views.drop(changed);
  }
  return changed.length;
}

export function consumeCatalogEvents(deps: { bus: EventBus; db: Knex; logger: Logger; views: CartViews }): Promise<Subscription> {
  return consumeEvents({
    bus: deps.bus,
    db: deps.db,
    logger: deps.logger,
    topic: TOPICS.catalog,
    subscription: CATALOG_SUBSCRIPTION,
    consumer: CATALOG_SUBSCRIPTION,
    handle: async (event, trx) => {
      await applyCatalogEvent(event, trx, deps.views, deps.logger);
    },
  });
}
