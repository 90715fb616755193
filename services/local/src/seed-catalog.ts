import type { Logger, ObjectStore } from '@shop/kit';
import { DEMO_CATEGORIES, DEMO_PRODUCTS, demoCatalogCsv, demoImage, demoImagePath } from './demo-catalog';
import { apiCall } from './seed';

export interface CatalogSeedOptions {
  catalogUrl: string;
  adminToken: string;
  objects: ObjectStore;
  /** The product-image bucket the edge serves at /assets. */
  imagesBucket: string;
  logger: Logger;
  /** How long to wait for the import job. */
  timeoutMs?: number;
}

export type CatalogSeedOutcome = { seeded: true; categories: number; products: number; variants: number } | { seeded: false; reason: string };

interface ImportJob {
  id: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  failedRows?: number;
  errors?: unknown[];
}

/**
 * Fills an empty catalog with the demo shop as catalog managers would: categories through the admin
 * API, pictures into the image bucket, and the products through the CSV import (so the import path
 * runs on every fresh start). A catalog that has products is left alone.
 */
export async function seedDemoCatalog(options: CatalogSeedOptions): Promise<CatalogSeedOutcome> {
  const call = (method: 'GET' | 'POST', path: string, extra: { body?: unknown; csv?: string; idempotencyKey?: string } = {}) =>
    apiCall({ baseUrl: options.catalogUrl, token: options.adminToken, method, path, ...extra });
  const existing = (await call('GET', '/v1/admin/products?limit=1&deleted=include')) as { items?: unknown[] };
  if ((existing.items?.length ?? 0) > 0) return { seeded: false, reason: 'the catalog already has products' };

  const ids = new Map<string, string>();
  for (const [position, category] of DEMO_CATEGORIES.entries()) {
    const parentId = category.parent ? (ids.get(category.parent) ?? null) : null;
    const created = (await call('POST', '/v1/admin/categories', { body: { slug: category.slug, name: category.name, parentId, position }, idempotencyKey: `demo-category-${category.slug}` })) as { id: string };
    ids.set(category.slug, created.id);
  }
  for (const product of DEMO_PRODUCTS) {
    await options.objects.write(`gs://${options.imagesBucket}/${demoImagePath(product)}`, demoImage(product), 'image/svg+xml');
  }
  let job = (await call('POST', '/v1/admin/imports/upload?dryRun=false', { csv: demoCatalogCsv(options.imagesBucket), idempotencyKey: 'demo-catalog-import' })) as ImportJob;
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (job.status === 'queued' || job.status === 'running') {
    if (Date.now() > deadline) throw new Error(`seeding: the demo catalog import ${job.id} did not finish in time`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    job = (await call('GET', `/v1/admin/imports/${job.id}`)) as ImportJob;
  }
  if (job.status !== 'succeeded' || (job.failedRows ?? 0) > 0) {
    throw new Error(`seeding: the demo catalog import ended ${job.status}: ${JSON.stringify(job.errors ?? []).slice(0, 500)}`);
  }
  const variants = DEMO_PRODUCTS.reduce((n, p) => n + p.variants.length, 0);
  options.logger.info({ categories: DEMO_CATEGORIES.length, products: DEMO_PRODUCTS.length, variants }, 'demo catalog seeded');
  return { seeded: true, categories: DEMO_CATEGORIES.length, products: DEMO_PRODUCTS.length, variants };
}
