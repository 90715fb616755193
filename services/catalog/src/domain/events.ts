import { randomUUID } from 'node:crypto';
import {
  CATALOG_SOURCE,
  catalogEventDataSchemas,
  TOPICS,
  type CatalogEventType,
  type CategoryEventData,
  type ProductEventData,
} from '@shop/contracts';
import type { OutboxEvent } from '@shop/kit';
import type { CategoryRow } from './categories';

export interface ProductSnapshot {
  id: string;
  slug: string;
  name: string;
  status: ProductEventData['status'];
  categoryId: string | null;
  currency: string;
  variants: Array<{ sku: string; priceMinor: number; options: Record<string, string> }>;
  version: number;
  deletedAt: Date | null;
}

type ProductEventType = Exclude<CatalogEventType, 'catalog.category_changed'>;

const event = <T>(type: CatalogEventType, subject: string, data: T): OutboxEvent<T> => ({
  id: randomUUID(),
  topic: TOPICS.catalog,
  type,
  source: CATALOG_SOURCE,
  subject,
  time: new Date().toISOString(),
  // One key per product (or category) so a retried event is never overtaken by a later one of the same entity.
  orderingKey: subject,
  data,
});

/** A product event carrying the product as it is after the change, checked against the contract. */
export function productEvent(type: ProductEventType, p: ProductSnapshot): OutboxEvent<ProductEventData> {
  const data = catalogEventDataSchemas[type].parse({
    productId: p.id,
    slug: p.slug,
    name: p.name,
    status: p.status,
    categoryId: p.categoryId,
    variants: p.variants.map((v) => ({ sku: v.sku, priceMinor: v.priceMinor, currency: p.currency, options: v.options })),
    version: p.version,
    deletedAt: p.deletedAt ? p.deletedAt.toISOString() : null,
  });
  return event(type, p.id, data);
}

export function categoryEvent(c: CategoryRow, deleted: boolean): OutboxEvent<CategoryEventData> {
  const data = catalogEventDataSchemas['catalog.category_changed'].parse({ categoryId: c.id, slug: c.slug, name: c.name, parentId: c.parentId, deleted });
  return event('catalog.category_changed', c.id, data);
}
