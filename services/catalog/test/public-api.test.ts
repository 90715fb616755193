import { randomUUID } from 'node:crypto';
import {
  categoryListSchema,
  MAX_SKUS_PER_PRICE_QUERY,
  ORDERS_SOURCE,
  PRODUCT_SORTS,
  productDetailSchema,
  productPageSchema,
  skuPriceListSchema,
  TOPICS,
  toAttributes,
  type ProductSummary,
} from '@shop/contracts';
import { createCategory, createProduct, eventProcessed, publishStockLevel, startHarness, type AdminProduct, type Harness } from './support';

let h: Harness;
const ids: Record<string, string> = {};
const cat: Record<string, string> = {};

async function paidOrder(lines: Array<{ productId: string; sku: string; quantity: number }>): Promise<string> {
  const id = randomUUID();
  const data = {
    orderId: randomUUID(),
    orderNumber: 'SO-1',
    status: 'paid',
    shopperId: 'shopper-123',
    currency: 'EUR',
    subtotalMinor: 100,
    totalMinor: 100,
    lines: lines.map((l) => ({ ...l, name: 'x', categoryId: null, unitPriceMinor: 100, lineTotalMinor: 100 * l.quantity })),
    placedAt: new Date().toISOString(),
    reason: null,
  };
  const attributes = toAttributes({ id, type: 'order.paid', source: ORDERS_SOURCE, subject: data.orderId, time: new Date().toISOString(), data });
  await h.bus.publish(TOPICS.orders, [{ data: Buffer.from(JSON.stringify(data)), attributes }]);
  return id;
}

beforeAll(async () => {
  h = await startHarness();
  cat.clothing = (await createCategory(h, 'clothing', 'Clothing', null, 1)).id;
  cat.hoodies = (await createCategory(h, 'hoodies', 'Hoodies & Sweatshirts', cat.clothing, 1)).id;
  cat.tees = (await createCategory(h, 'tees', 'T-Shirts', cat.clothing, 2)).id;
  cat.home = (await createCategory(h, 'home', 'Home', null, 2)).id;
  cat.mugs = (await createCategory(h, 'mugs', 'Mugs', cat.home)).id;
  const add = async (key: string, body: Parameters<typeof createProduct>[1]): Promise<AdminProduct> => {
    const p = await createProduct(h, body);
    ids[key] = p.id;
    return p;
  };
  await add('blackHoodie', {
    slug: 'black-zip-hoodie',
    name: 'Black Zip Hoodie',
    categoryId: cat.hoodies,
    description: 'Heavy cotton fleece with a full zip.',
    images: [{ uri: 'gs://shop-assets/products/black hoodie.jpg', alt: 'Black hoodie, front' }, { uri: 'gs://shop-assets/products/black-back.jpg', alt: 'Back' }],
    variants: [
      { sku: 'HOOD-BLK-S', priceMinor: 4990, options: { size: 'S' } },
      { sku: 'HOOD-BLK-M', priceMinor: 5490, options: { size: 'M' } },
    ],
  });
  await add('greyHoodie', { slug: 'grey-pullover-hoodie', name: 'Grey Pullover Hoodie', categoryId: cat.hoodies, variants: [{ sku: 'HOOD-GRY-M', priceMinor: 3990 }] });
  await add('logoTee', {
    slug: 'logo-tee',
    name: 'Logo T-Shirt',
    categoryId: cat.tees,
    variants: [
      { sku: 'TEE-LOGO-BLK', priceMinor: 1990, options: { colour: 'black', size: 'M' } },
      { sku: 'TEE-LOGO-WHT', priceMinor: 2490, options: { colour: 'white', size: 'M' } },
    ],
  });
  await add('plainTee', { slug: 'plain-tee', name: 'Plain Tee', categoryId: cat.tees, variants: [{ sku: 'TEE-PLAIN', priceMinor: 1490 }] });
  await add('mug', { slug: 'coffee-mug', name: 'Coffee Mug', categoryId: cat.mugs, description: 'Goes well with a hoodie on cold mornings.', variants: [{ sku: 'MUG-1', priceMinor: 990 }] });
  await add('draft', { slug: 'secret-hoodie', name: 'Secret Hoodie', status: 'draft', categoryId: cat.hoodies, variants: [{ sku: 'HOOD-SECRET', priceMinor: 9990 }] });
  for (let i = 1; i <= 9; i++) {
    // Some share a price so the sorts' tie-break by id is exercised across page boundaries.
    await add(`sock${i}`, { slug: `sock-${i}`, name: `Sock ${String.fromCharCode(96 + i)}`, categoryId: cat.clothing, variants: [{ sku: `SOCK-${i}`, priceMinor: 500 + (i % 3) * 100 }] });
  }
  const stocked: Array<[string, string, number]> = [
    ['HOOD-BLK-S', 'berlin', 0],
    ['HOOD-BLK-M', 'berlin', 3],
    ['HOOD-BLK-M', 'paris', 2],
    ['TEE-PLAIN', 'berlin', 10],
    ['MUG-1', 'berlin', 5],
    ['SOCK-1', 'berlin', 1],
  ];
  const events = [];
  for (const [sku, warehouse, available] of stocked) events.push(await publishStockLevel(h.bus, sku, warehouse, available));
  const sales = [await paidOrder([{ productId: ids.plainTee!, sku: 'TEE-PLAIN', quantity: 5 }]), await paidOrder([{ productId: ids.mug!, sku: 'MUG-1', quantity: 2 }, { productId: ids.plainTee!, sku: 'TEE-PLAIN', quantity: 1 }])];
  for (const id of [...events, ...sales]) await eventProcessed(h, id);
}, 60_000);

afterAll(async () => {
  await h.close();
});

async function list(query: string): Promise<{ items: ProductSummary[]; nextCursor: string | null }> {
  const r = await h.public.get(`/v1/products${query ? `?${query}` : ''}`);
  expect(r.status).toBe(200);
  return productPageSchema.parse(r.body);
}

async function all(query: string, pageSize: number): Promise<ProductSummary[]> {
  const items: ProductSummary[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page = await list(`${query}&limit=${pageSize}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('pagination did not end');
}

describe('product page', () => {
  it('answers by slug and by id with the contract shape, image URLs under the assets base, breadcrumb, options and summed stock', async () => {
    const bySlug = await h.public.get('/v1/products/black-zip-hoodie');
    expect(bySlug.status).toBe(200);
    const detail = productDetailSchema.parse(bySlug.body);
    const byId = await h.public.get(`/v1/products/${ids.blackHoodie}`);
    expect(productDetailSchema.parse(byId.body)).toEqual(detail);
    expect(detail).toMatchObject({
      id: ids.blackHoodie,
      priceMinor: 4990,
      maxPriceMinor: 5490,
      currency: 'EUR',
      inStock: true,
      status: 'active',
      image: { url: 'https://shop.test/assets/products/black%20hoodie.jpg', alt: 'Black hoodie, front' },
      category: { id: cat.hoodies, slug: 'hoodies', name: 'Hoodies & Sweatshirts' },
      breadcrumb: [
        { id: cat.clothing, slug: 'clothing', name: 'Clothing' },
        { id: cat.hoodies, slug: 'hoodies', name: 'Hoodies & Sweatshirts' },
      ],
      options: [{ name: 'size', values: ['S', 'M'] }],
      version: 1,
    });
    expect(detail.variants).toEqual([
      { sku: 'HOOD-BLK-S', options: { size: 'S' }, priceMinor: 4990, currency: 'EUR', available: 0, inStock: false },
      { sku: 'HOOD-BLK-M', options: { size: 'M' }, priceMinor: 5490, currency: 'EUR', available: 5, inStock: true },
    ]);
    expect(detail.images.map((i) => i.url)).toEqual(['https://shop.test/assets/products/black%20hoodie.jpg', 'https://shop.test/assets/products/black-back.jpg']);
  });

  it('keeps option names in the order they were given', async () => {
    const tee = productDetailSchema.parse((await h.public.get('/v1/products/logo-tee')).body);
    expect(tee.options).toEqual([
      { name: 'colour', values: ['black', 'white'] },
      { name: 'size', values: ['M'] },
    ]);
  });

  it('answers 404 for drafts and unknown products, and 400 naming the field for a malformed reference', async () => {
    for (const ref of ['secret-hoodie', ids.draft!, 'no-such-product', randomUUID()]) {
      const r = await h.public.get(`/v1/products/${ref}`);
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const bad = await h.public.get('/v1/products/Not_A_Slug');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ field: 'params.idOrSlug' }] });
  });
});

describe('categories', () => {
  it('lists the tree depth first with paths, siblings by position', async () => {
    const r = await h.public.get('/v1/categories');
    const { items } = categoryListSchema.parse(r.body);
    expect(items.map((c) => c.slug)).toEqual(['clothing', 'hoodies', 'tees', 'home', 'mugs']);
    expect(items.find((c) => c.slug === 'mugs')).toMatchObject({ parentId: cat.home, path: [{ slug: 'home' }, { slug: 'mugs' }] });
  });
});

describe('search', () => {
  it('finds "Hoodie" from the typo "hoodei", name matches first', async () => {
    const page = await list('q=hoodei');
    const slugs = page.items.map((p) => p.slug);
    expect(slugs.slice(0, 2).sort()).toEqual(['black-zip-hoodie', 'grey-pullover-hoodie']);
    // The mug only mentions hoodies in its description: it ranks below both, and the draft never shows.
    expect(slugs).toContain('coffee-mug');
    expect(slugs.indexOf('coffee-mug')).toBeGreaterThan(1);
    expect(slugs).not.toContain('secret-hoodie');
  });

  it('corrects every word of a query and ranks the closest name first', async () => {
    const page = await list('q=blak%20hoodei');
    expect(page.items[0]?.slug).toBe('black-zip-hoodie');
    expect(page.items.map((p) => p.slug)).not.toContain('grey-pullover-hoodie');
  });

  it('matches prefixes as the shopper types, and the category name with less weight than the product name', async () => {
    expect((await list('q=hood')).items.map((p) => p.slug)).toEqual(expect.arrayContaining(['black-zip-hoodie', 'grey-pullover-hoodie']));
    const sweat = await list('q=sweatshirts');
    expect(sweat.items.map((p) => p.slug).sort()).toEqual(['black-zip-hoodie', 'grey-pullover-hoodie']);
  });

  it('returns an empty page when nothing matches or the query has no words', async () => {
    expect((await list('q=zzqqxx')).items).toEqual([]);
    expect((await list('q=%21%21%21')).items).toEqual([]);
  });
});

describe('filters', () => {
  it('a category includes its descendants', async () => {
    const clothing = await all('category=clothing', 100);
    expect(clothing).toHaveLength(13);
    expect(clothing.map((p) => p.slug)).not.toContain('coffee-mug');
    const tees = await list('category=tees');
    expect(tees.items.map((p) => p.slug).sort()).toEqual(['logo-tee', 'plain-tee']);
    expect((await list('category=no-such-category')).items).toEqual([]);
  });

  it('filters by the lowest variant price', async () => {
    const page = await list('minPrice=1500&maxPrice=4000&limit=100');
    expect(page.items.map((p) => p.slug).sort()).toEqual(['grey-pullover-hoodie', 'logo-tee']);
    for (const p of page.items) expect(p.priceMinor).toBeGreaterThanOrEqual(1500);
  });

  it('filters by stock summed over warehouses', async () => {
    const inStock = await list('inStock=true&limit=100');
    expect(inStock.items.map((p) => p.slug).sort()).toEqual(['black-zip-hoodie', 'coffee-mug', 'plain-tee', 'sock-1']);
    expect(inStock.items.every((p) => p.inStock)).toBe(true);
    const out = await list('inStock=false&limit=100');
    expect(out.items).toHaveLength(10);
    expect(out.items.every((p) => !p.inStock)).toBe(true);
  });

  it('names the field of a bad filter', async () => {
    for (const [query, field] of [
      ['minPrice=abc', 'query.minPrice'],
      ['limit=0', 'query.limit'],
      ['limit=101', 'query.limit'],
      ['sort=cheapest', 'query.sort'],
      ['inStock=yes', 'query.inStock'],
      ['category=Bad_Slug', 'query.category'],
      ['cursor=not-a-cursor', 'query.cursor'],
    ]) {
      const r = await h.public.get(`/v1/products?${query}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ errors: [expect.objectContaining({ field })] });
    }
  });
});

describe('sorts and pagination', () => {
  const order = (items: ProductSummary[]) => items.map((p) => p.slug);

  it('sorts by price, name, newest and best sellers', async () => {
    const prices = (await all('sort=price_asc', 100)).map((p) => p.priceMinor);
    expect(prices).toEqual([...prices].sort((a, b) => a - b));
    const desc = (await all('sort=price_desc', 100)).map((p) => p.priceMinor);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    const names = (await all('sort=name', 100)).map((p) => p.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    const newest = order(await all('sort=newest', 100));
    expect(newest[0]).toBe('sock-9');
    expect(newest[newest.length - 1]).toBe('black-zip-hoodie');
    expect(order((await list('')).items).slice(0, 3)).toEqual(newest.slice(0, 3));
    const best = order(await all('sort=best_selling', 100));
    expect(best.slice(0, 2)).toEqual(['plain-tee', 'coffee-mug']);
  });

  it.each(PRODUCT_SORTS)('walks every page of sort %s without duplicates or gaps', async (sort) => {
    // Nine socks with the same relevance, so ties are broken across page boundaries.
    const query = sort === 'relevance' ? 'q=sock' : 'category=clothing';
    const expected = order(await all(`${query}&sort=${sort}`, 100));
    expect(expected.length).toBeGreaterThan(0);
    for (const size of [1, 4]) {
      const paged = order(await all(`${query}&sort=${sort}`, size));
      expect(paged).toEqual(expected);
      expect(new Set(paged).size).toBe(paged.length);
    }
  });

  it('refuses a cursor issued for another sort', async () => {
    const page = await list('sort=price_asc&limit=2');
    const r = await h.public.get(`/v1/products?sort=name&cursor=${page.nextCursor}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ errors: [{ field: 'query.cursor' }] });
  });
});

describe('SKU prices', () => {
  it('prices known SKUs, marks drafts unsellable and leaves unknown SKUs out', async () => {
    const r = await h.public.get('/v1/skus?skus=TEE-LOGO-WHT,HOOD-SECRET,NOPE-1,TEE-LOGO-WHT');
    expect(r.status).toBe(200);
    const { items } = skuPriceListSchema.parse(r.body);
    expect(items).toEqual([
      { sku: 'HOOD-SECRET', productId: ids.draft, productName: 'Secret Hoodie', slug: 'secret-hoodie', categoryId: cat.hoodies, options: {}, priceMinor: 9990, currency: 'EUR', sellable: false },
      { sku: 'TEE-LOGO-WHT', productId: ids.logoTee, productName: 'Logo T-Shirt', slug: 'logo-tee', categoryId: cat.tees, options: { colour: 'white', size: 'M' }, priceMinor: 2490, currency: 'EUR', sellable: true },
    ]);
  });

  it(`refuses more than ${MAX_SKUS_PER_PRICE_QUERY} SKUs and malformed ones, naming the field`, async () => {
    const many = Array.from({ length: MAX_SKUS_PER_PRICE_QUERY + 1 }, (_, i) => `S-${i}`).join(',');
    for (const q of [`skus=${many}`, 'skus=', 'skus=bad%20sku', '']) {
      const r = await h.public.get(`/v1/skus?${q}`);
      expect(r.status).toBe(400);
      expect(r.body).toMatchObject({ errors: [expect.objectContaining({ field: expect.stringMatching(/^query\.skus/) })] });
    }
  });
});
