import { randomUUID } from 'node:crypto';
import {
  CATALOG_EVENT_TYPES,
  CATALOG_SOURCE,
  catalogEventDataSchemas,
  cloudEventAttributesSchema,
  fromMessage,
  productDetailSchema,
  productPageSchema,
  skuPriceListSchema,
  TOPICS,
  toAttributes,
  type CloudEvent,
  type ProductEventData,
} from '@shop/contracts';
import { createDevIssuer } from '@shop/kit';
import { client, createCategory, createProduct, startHarness, waitFor, type AdminProduct, type Harness } from './support';

let h: Harness;
const published: CloudEvent[] = [];

interface OutboxRow {
  id: string;
  topic: string;
  type: string;
  source: string;
  subject: string;
  time: Date;
  data: unknown;
  ordering_key: string | null;
}

const outbox = async (): Promise<OutboxRow[]> => (await h.database.db('outbox').select('*').orderBy('seq')) as OutboxRow[];
const eventsOf = async (subject: string): Promise<OutboxRow[]> => (await outbox()).filter((r) => r.subject === subject);

beforeAll(async () => {
  h = await startHarness();
  // What a consumer of catalog-events (the orders service) receives through the relay.
  await h.bus.subscribe(TOPICS.catalog, 'admin-test.catalog-events', async (m) => {
    published.push(fromMessage(m.attributes, m.data));
  });
});

afterAll(async () => {
  await h.close();
});

describe('authorization', () => {
  let productId: string;
  let categoryId: string;
  let jobId: string;

  beforeAll(async () => {
    categoryId = (await createCategory(h, 'authz', 'Authz')).id;
    productId = (await createProduct(h, { slug: 'authz-product', name: 'Authz', variants: [{ sku: 'AUTHZ-1', priceMinor: 100 }] })).id;
    jobId = (await h.admin.post<{ id: string }>('/v1/admin/imports', { source: 'gs://catalog-imports-test/none.csv', dryRun: true })).body.id;
  });

  type Call = (c: ReturnType<Harness['as']>) => Promise<number>;
  const calls: Array<[string, Call, number]> = [
    ['list products', async (c) => (await c.get('/v1/admin/products')).status, 200],
    ['get a product', async (c) => (await c.get(`/v1/admin/products/${productId}`)).status, 200],
    ['create a product', async (c) => (await c.post('/v1/admin/products', { slug: `authz-${randomUUID().slice(0, 8)}`, name: 'X', currency: 'EUR', variants: [{ sku: `AUTHZ-${randomUUID().slice(0, 8)}`, priceMinor: 1 }] })).status, 201],
    ['update a product', async (c) => (await c.patch(`/v1/admin/products/${productId}`, { name: `Authz ${randomUUID()}` })).status, 200],
    ['change status', async (c) => (await c.post(`/v1/admin/products/${productId}/status`, { status: 'active' })).status, 200],
    ['restore a product', async (c) => (await c.post(`/v1/admin/products/${productId}/restore`)).status, 200],
    ['create a category', async (c) => (await c.post('/v1/admin/categories', { slug: `c-${randomUUID().slice(0, 8)}`, name: 'C' })).status, 201],
    ['update a category', async (c) => (await c.patch(`/v1/admin/categories/${categoryId}`, { name: `Authz ${randomUUID()}` })).status, 200],
    ['move a category', async (c) => (await c.post(`/v1/admin/categories/${categoryId}/move`, { parentId: null })).status, 200],
    ['import from storage', async (c) => (await c.post('/v1/admin/imports', { source: 'gs://catalog-imports-test/none.csv', dryRun: true })).status, 202],
    ['upload an import', async (c) => (await c.post('/v1/admin/imports/upload?dryRun=true', 'product_slug\n', { 'content-type': 'text/csv' })).status, 202],
    ['read an import', async (c) => (await c.get(`/v1/admin/imports/${jobId}`)).status, 200],
    ['delete a product', async (c) => (await c.delete(`/v1/admin/products/${productId}`)).status, 200],
    ['delete a category', async (c) => (await c.delete(`/v1/admin/categories/${(await createCategory(h, `gone-${randomUUID().slice(0, 8)}`, 'Gone')).id}`)).status, 200],
  ];

  it.each(calls)('%s: 401 without a token, 403 without the admin role, allowed for admins', async (_name, call, success) => {
    expect(await call(client(h.url, null))).toBe(401);
    expect(await call(client(h.url, 'not.a.jwt'))).toBe(401);
    for (const roles of [[], ['viewer'], ['operator'], ['manager'], ['service']]) expect(await call(h.as(roles))).toBe(403);
    expect(await call(h.admin)).toBe(success);
  });

  it('refuses tokens from another issuer', async () => {
    const stranger = await createDevIssuer(h.issuer.issuer, h.issuer.audience);
    const forged = await stranger.sign({ subject: 'mallory', roles: ['admin'], warehouses: ['*'] });
    const r = await client(h.url, forged).get('/v1/admin/products');
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
  });

  it('serves the public API without a token', async () => {
    for (const path of ['/v1/products', '/v1/categories', '/v1/skus?skus=AUTHZ-1']) expect((await h.public.get(path)).status).toBe(200);
  });
});

describe('products', () => {
  it('creates with variants, emits product_created carrying the product, and documents every route', async () => {
    const category = await createCategory(h, 'jackets', 'Jackets');
    const created = await createProduct(h, {
      slug: 'rain-jacket',
      name: 'Rain Jacket',
      categoryId: category.id,
      variants: [
        { sku: 'JKT-RAIN-S', priceMinor: 8900, options: { size: 'S' } },
        { sku: 'JKT-RAIN-M', priceMinor: 8900, options: { size: 'M' } },
      ],
    });
    expect(created).toMatchObject({ slug: 'rain-jacket', version: 1, status: 'active', deletedAt: null });
    const [event] = await eventsOf(created.id);
    expect(event).toMatchObject({ type: 'catalog.product_created', topic: TOPICS.catalog, source: CATALOG_SOURCE, ordering_key: created.id });
    expect(catalogEventDataSchemas['catalog.product_created'].parse(event!.data)).toEqual({
      productId: created.id,
      slug: 'rain-jacket',
      name: 'Rain Jacket',
      status: 'active',
      categoryId: category.id,
      variants: [
        { sku: 'JKT-RAIN-S', priceMinor: 8900, currency: 'EUR', options: { size: 'S' } },
        { sku: 'JKT-RAIN-M', priceMinor: 8900, currency: 'EUR', options: { size: 'M' } },
      ],
      version: 1,
      deletedAt: null,
    });
    const doc = (await h.public.get<{ paths: Record<string, Record<string, { parameters: Array<{ name: string }> }>> }>('/openapi.json')).body;
    for (const path of ['/v1/products', '/v1/products/{idOrSlug}', '/v1/categories', '/v1/skus', '/v1/admin/products', '/v1/admin/products/{id}', '/v1/admin/products/{id}/status', '/v1/admin/products/{id}/restore', '/v1/admin/categories', '/v1/admin/categories/{id}', '/v1/admin/categories/{id}/move', '/v1/admin/imports', '/v1/admin/imports/upload', '/v1/admin/imports/{id}']) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.paths['/v1/admin/products']!.post!.parameters.map((p) => p.name)).toContain('Idempotency-Key');
  });

  it('updates, bumps the version only on a real change, and replaces the variant list', async () => {
    const p = await createProduct(h, { slug: 'wool-scarf', name: 'Wool Scarf', variants: [{ sku: 'SCARF-1', priceMinor: 2500, options: { colour: 'red' } }, { sku: 'SCARF-2', priceMinor: 2500, options: { colour: 'blue' } }] });
    const same = await h.admin.patch<AdminProduct>(`/v1/admin/products/${p.id}`, { name: 'Wool Scarf' });
    expect(same.status).toBe(200);
    expect(same.body.version).toBe(1);
    const changed = await h.admin.patch<AdminProduct>(`/v1/admin/products/${p.id}`, { name: 'Merino Scarf', currency: 'GBP', variants: [{ sku: 'SCARF-2', priceMinor: 2200, options: { colour: 'blue' } }, { sku: 'SCARF-3', priceMinor: 2400, options: { colour: 'grey' } }] });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ name: 'Merino Scarf', version: 2, variants: [{ sku: 'SCARF-2', priceMinor: 2200, currency: 'GBP' }, { sku: 'SCARF-3', priceMinor: 2400, currency: 'GBP' }] });
    expect((await eventsOf(p.id)).map((e) => e.type)).toEqual(['catalog.product_created', 'catalog.product_updated']);
    const detail = productDetailSchema.parse((await h.public.get('/v1/products/wool-scarf')).body);
    expect(detail).toMatchObject({ name: 'Merino Scarf', currency: 'GBP', priceMinor: 2200, maxPriceMinor: 2400, version: 2 });
    // The removed SKU is free again.
    expect((await h.public.get<{ items: unknown[] }>('/v1/skus?skus=SCARF-1')).body.items).toEqual([]);
  });

  it('refuses a stale expectedVersion with 409 instead of losing an update', async () => {
    const p = await createProduct(h, { slug: 'beanie', name: 'Beanie', variants: [{ sku: 'BEANIE-1', priceMinor: 1500 }] });
    expect((await h.admin.patch(`/v1/admin/products/${p.id}`, { name: 'Beanie Hat', expectedVersion: 1 })).status).toBe(200);
    const stale = await h.admin.patch(`/v1/admin/products/${p.id}`, { name: 'Bobble Hat', expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ type: expect.stringContaining('version-conflict'), currentVersion: 2 });
  });

  it('names the field for broken rules and conflicts', async () => {
    await createProduct(h, { slug: 'taken-slug', name: 'Taken', variants: [{ sku: 'TAKEN-1', priceMinor: 100 }] });
    const cases: Array<[Record<string, unknown>, number, string]> = [
      [{ slug: 'taken-slug', variants: [{ sku: 'FREE-1', priceMinor: 1 }] }, 409, 'body.slug'],
      [{ slug: 'free-slug', variants: [{ sku: 'TAKEN-1', priceMinor: 1 }] }, 409, 'body.variants.0.sku'],
      [{ slug: 'free-slug', categoryId: randomUUID(), variants: [{ sku: 'FREE-1', priceMinor: 1 }] }, 400, 'body.categoryId'],
      [{ slug: 'free-slug', variants: [{ sku: 'FREE-1', priceMinor: 1, options: { size: 'S' } }, { sku: 'FREE-2', priceMinor: 1, options: { colour: 'red' } }] }, 400, 'body.variants.0.options'],
      [{ slug: 'free-slug', variants: [{ sku: 'FREE-1', priceMinor: 1, options: { size: 'S' } }, { sku: 'FREE-2', priceMinor: 1, options: { size: 'S' } }] }, 400, 'body.variants.1.options'],
      [{ slug: 'free-slug', variants: [{ sku: 'FREE-1', priceMinor: 1 }, { sku: 'FREE-1', priceMinor: 2 }] }, 400, 'body.variants.1.sku'],
      [{ slug: randomUUID(), variants: [{ sku: 'FREE-1', priceMinor: 1 }] }, 400, 'body.slug'],
      [{ slug: 'free-slug', variants: [] }, 400, 'body.variants'],
      [{ slug: 'free-slug', variants: [{ sku: 'FREE-1', priceMinor: 1.5 }] }, 400, 'body.variants.0.priceMinor'],
      [{ slug: 'free-slug', currency: 'euro', variants: [{ sku: 'FREE-1', priceMinor: 1 }] }, 400, 'body.currency'],
      [{ slug: 'free-slug', images: [{ uri: 'https://elsewhere/x.jpg', alt: '' }], variants: [{ sku: 'FREE-1', priceMinor: 1 }] }, 400, 'body.images.0.uri'],
    ];
    for (const [body, status, field] of cases) {
      const r = await h.admin.post('/v1/admin/products', { name: 'Free', currency: 'EUR', ...body });
      expect({ field, status: r.status }).toEqual({ field, status });
      expect(r.body).toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ field })]) });
    }
    expect((await h.public.get<{ items: unknown[] }>('/v1/skus?skus=FREE-1')).body.items).toEqual([]);
  });

  it('replays a retried create with the same Idempotency-Key instead of creating twice', async () => {
    const key = randomUUID();
    const body = { slug: 'retry-mug', name: 'Retry Mug', currency: 'EUR', variants: [{ sku: 'RETRY-MUG', priceMinor: 800 }] };
    const first = await h.admin.post<AdminProduct>('/v1/admin/products', body, { 'idempotency-key': key });
    const second = await h.admin.post<AdminProduct>('/v1/admin/products', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
    expect(await h.database.db('products').where({ slug: 'retry-mug' }).count('* as n').first()).toEqual({ n: '1' });
  });
});

describe('soft delete', () => {
  it('emits catalog.product_deleted and takes the product out of every public read; restore brings it back', async () => {
    const p = await createProduct(h, { slug: 'linen-shirt', name: 'Linen Shirt', variants: [{ sku: 'LINEN-1', priceMinor: 4500 }] });
    // Reads first, so cached pages exist that the delete must drop.
    expect((await h.public.get('/v1/products/linen-shirt')).status).toBe(200);
    expect(productPageSchema.parse((await h.public.get('/v1/products?q=linen')).body).items.map((i) => i.id)).toEqual([p.id]);

    const deleted = await h.admin.delete<AdminProduct>(`/v1/admin/products/${p.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ version: 2, deletedAt: expect.any(String) });
    const events = await eventsOf(p.id);
    expect(events.map((e) => e.type)).toEqual(['catalog.product_created', 'catalog.product_deleted']);
    const data: ProductEventData = catalogEventDataSchemas['catalog.product_deleted'].parse(events[1]!.data);
    expect(data).toMatchObject({ productId: p.id, version: 2, deletedAt: deleted.body.deletedAt, variants: [{ sku: 'LINEN-1' }] });
    await waitFor('product_deleted published', () => published.some((e) => e.type === 'catalog.product_deleted' && e.subject === p.id));

    expect((await h.public.get('/v1/products/linen-shirt')).status).toBe(404);
    expect((await h.public.get(`/v1/products/${p.id}`)).status).toBe(404);
    for (const query of ['q=linen', 'sort=newest&limit=100', 'sort=name&limit=100', 'sort=price_asc&limit=100']) {
      expect(productPageSchema.parse((await h.public.get(`/v1/products?${query}`)).body).items.map((i) => i.id)).not.toContain(p.id);
    }
    expect(skuPriceListSchema.parse((await h.public.get('/v1/skus?skus=LINEN-1')).body).items).toEqual([expect.objectContaining({ sku: 'LINEN-1', sellable: false })]);
    expect((await h.admin.get<{ items: AdminProduct[] }>('/v1/admin/products?q=linen')).body.items).toEqual([]);
    expect((await h.admin.get<{ items: AdminProduct[] }>('/v1/admin/products?q=linen&deleted=only')).body.items.map((i) => i.id)).toEqual([p.id]);

    // Deleting again changes nothing; changing a deleted product needs a restore first.
    expect((await h.admin.delete<AdminProduct>(`/v1/admin/products/${p.id}`)).body.version).toBe(2);
    expect((await h.admin.patch(`/v1/admin/products/${p.id}`, { name: 'Linen' })).status).toBe(409);
    expect((await eventsOf(p.id)).length).toBe(2);

    const restored = await h.admin.post<AdminProduct>(`/v1/admin/products/${p.id}/restore`);
    expect(restored.body).toMatchObject({ version: 3, deletedAt: null });
    expect((await eventsOf(p.id)).map((e) => e.type)).toEqual(['catalog.product_created', 'catalog.product_deleted', 'catalog.product_updated']);
    expect((await h.public.get('/v1/products/linen-shirt')).status).toBe(200);
  });

  it('refuses to restore a product whose slug a live product took meanwhile', async () => {
    const old = await createProduct(h, { slug: 'camp-mug', name: 'Camp Mug', variants: [{ sku: 'CAMP-1', priceMinor: 900 }] });
    await h.admin.delete(`/v1/admin/products/${old.id}`);
    await createProduct(h, { slug: 'camp-mug', name: 'Camp Mug II', variants: [{ sku: 'CAMP-2', priceMinor: 900 }] });
    const r = await h.admin.post(`/v1/admin/products/${old.id}/restore`);
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ type: expect.stringContaining('slug-taken') });
  });
});

describe('categories', () => {
  it('never moves a category under itself or its descendants', async () => {
    const top = await createCategory(h, 'outdoor', 'Outdoor');
    const mid = await createCategory(h, 'camping', 'Camping', top.id);
    const leaf = await createCategory(h, 'tents', 'Tents', mid.id);
    for (const parentId of [top.id, leaf.id]) {
      const r = await h.admin.post(`/v1/admin/categories/${top.id}/move`, { parentId });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ type: expect.stringContaining('category-cycle') });
    }
    expect((await h.admin.post(`/v1/admin/categories/${leaf.id}/move`, { parentId: top.id })).status).toBe(200);
  });

  it('refuses to delete a category with products or children, and says so in its event when deleted', async () => {
    const parent = await createCategory(h, 'kitchen', 'Kitchen');
    const child = await createCategory(h, 'knives', 'Knives', parent.id);
    const p = await createProduct(h, { slug: 'chef-knife', name: 'Chef Knife', categoryId: child.id, variants: [{ sku: 'KNIFE-1', priceMinor: 6000 }] });
    const withChild = await h.admin.delete(`/v1/admin/categories/${parent.id}`);
    expect(withChild.status).toBe(409);
    expect(withChild.body).toMatchObject({ type: expect.stringContaining('category-in-use'), children: 1 });
    const withProduct = await h.admin.delete(`/v1/admin/categories/${child.id}`);
    expect(withProduct.body).toMatchObject({ type: expect.stringContaining('category-in-use'), products: 1 });

    await h.admin.patch(`/v1/admin/products/${p.id}`, { categoryId: null });
    expect((await h.admin.delete(`/v1/admin/categories/${child.id}`)).status).toBe(200);
    const [created, removed] = await eventsOf(child.id);
    expect(catalogEventDataSchemas['catalog.category_changed'].parse(created!.data)).toMatchObject({ deleted: false, parentId: parent.id });
    expect(catalogEventDataSchemas['catalog.category_changed'].parse(removed!.data)).toEqual({ categoryId: child.id, slug: 'knives', name: 'Knives', parentId: parent.id, deleted: true });
    expect((await h.public.get<{ items: Array<{ slug: string }> }>('/v1/categories')).body.items.map((c) => c.slug)).not.toContain('knives');
  });

  it('renaming a category updates breadcrumbs and search of the products below it', async () => {
    const parent = await createCategory(h, 'garden', 'Garden');
    const child = await createCategory(h, 'planters', 'Planters', parent.id);
    await createProduct(h, { slug: 'clay-pot', name: 'Clay Pot', categoryId: child.id, variants: [{ sku: 'POT-1', priceMinor: 1200 }] });
    expect(productDetailSchema.parse((await h.public.get('/v1/products/clay-pot')).body).breadcrumb.map((c) => c.name)).toEqual(['Garden', 'Planters']);
    expect((await h.admin.patch(`/v1/admin/categories/${parent.id}`, { name: 'Greenhouse' })).status).toBe(200);
    expect(productDetailSchema.parse((await h.public.get('/v1/products/clay-pot')).body).breadcrumb.map((c) => c.name)).toEqual(['Greenhouse', 'Planters']);
    expect(productPageSchema.parse((await h.public.get('/v1/products?q=greenhouse')).body).items.map((i) => i.slug)).toEqual(['clay-pot']);
  });
});

describe('outbox', () => {
  it('holds only events that validate against the contracts, and the relay publishes every one', async () => {
    const rows = await outbox();
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows) {
      const type = row.type as (typeof CATALOG_EVENT_TYPES)[number];
      expect(CATALOG_EVENT_TYPES).toContain(type);
      expect(row).toMatchObject({ topic: TOPICS.catalog, source: CATALOG_SOURCE, ordering_key: row.subject });
      const data = catalogEventDataSchemas[type].parse(row.data) as { productId?: string; categoryId?: string };
      expect(row.subject).toBe(type === 'catalog.category_changed' ? data.categoryId : data.productId);
      cloudEventAttributesSchema.parse(toAttributes({ id: row.id, type: row.type, source: row.source, subject: row.subject, time: row.time.toISOString(), data: row.data }));
    }
    await waitFor('every outbox row published', () => published.length >= rows.length);
    expect(new Set(published.map((e) => e.id))).toEqual(new Set(rows.map((r) => r.id)));
  });
});
