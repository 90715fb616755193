import { catalogEventDataSchemas, productDetailSchema } from '@shop/contracts';
import { createCategory, createProduct, startHarness, type Harness } from './support';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await createCategory(h, 'shoes', 'Shoes');
  await createProduct(h, { slug: 'old-boot', name: 'Old Boot', variants: [{ sku: 'BOOT-40', priceMinor: 12000, options: { size: '40' } }] });
});

afterAll(async () => {
  await h.close();
});

interface Job {
  id: string;
  status: string;
  dryRun: boolean;
  totalRows: number | null;
  processedRows: number;
  createdRows: number;
  updatedRows: number;
  unchangedRows: number;
  failedRows: number;
  progress: number;
  errors: Array<{ row: number; field: string | null; message: string }>;
  failure: string | null;
}

async function finished(id: string, onPoll: (job: Job) => void = () => undefined): Promise<Job> {
  for (let i = 0; i < 1_000; i++) {
    const job = (await h.admin.get<Job>(`/v1/admin/imports/${id}`)).body;
    onPoll(job);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`import ${id} did not finish`);
}

async function upload(csv: string, dryRun: boolean): Promise<Job> {
  const r = await h.admin.post<Job>(`/v1/admin/imports/upload?dryRun=${dryRun}`, csv, { 'content-type': 'text/csv' });
  expect(r.status).toBe(202);
  expect(r.body).toMatchObject({ status: 'queued', dryRun });
  return finished(r.body.id);
}

const HEADER = 'product_slug,product_name,currency,sku,price_minor,options,status,category_slug,description,images';
const CSV = [
  HEADER,
  'trail-runner,Trail Runner,EUR,TRAIL-42,8900,size=42,active,shoes,Light trail shoe,gs://shop-assets/products/trail.jpg|Trail runner from the side',
  'trail-runner,Trail Runner,EUR,TRAIL-43,8900,size=43,active,shoes,Light trail shoe,gs://shop-assets/products/trail.jpg|Trail runner from the side',
  'city-sneaker,City Sneaker,EUR,CITY-40,abc,size=40,active,shoes,,',
  'city-sneaker,City Sneaker,EUR,CITY-41,6900,size=41,active,shoes,,',
  'wool-socks,Wool Socks,EUR,SOCK-W,1200,,,no-such-category,,',
  ',No Slug,EUR,NOSLUG-1,100,,,,,',
  'trail-runner,Trail Runner,EUR,TRAIL-42,8900,size=42,active,shoes,Light trail shoe,gs://shop-assets/products/trail.jpg|Trail runner from the side',
  'trail-runner,Trail Runner,USD,TRAIL-44,8900,size=44,active,shoes,Light trail shoe,gs://shop-assets/products/trail.jpg|Trail runner from the side',
  'old-boot,Old Boot,EUR,BOOT-41,12500,size=41,active,shoes,,',
  'flip-flop,Flip Flop,EUR,FLIP-1,900,size,draft,,,',
].join('\n');

const EXPECTED_ERRORS = [
  [4, 'price_minor'],
  [6, 'category_slug'],
  [7, 'product_slug'],
  [8, 'sku'],
  [9, 'currency'],
  [11, 'options'],
];

const outboxCount = async (): Promise<number> => Number(((await h.database.db('outbox').count('* as n').first()) as { n: string }).n);

it('checks every row in a dry run, names the column of each error, and writes nothing', async () => {
  const events = await outboxCount();
  const job = await upload(CSV, true);
  expect(job).toMatchObject({ status: 'succeeded', totalRows: 10, processedRows: 10, createdRows: 4, updatedRows: 0, unchangedRows: 0, failedRows: 6, progress: 1, failure: null });
  expect(job.errors.map((e) => [e.row, e.field])).toEqual(EXPECTED_ERRORS);
  expect(job.errors.find((e) => e.row === 8)?.message).toContain('row 2');
  expect((await h.public.get('/v1/products/trail-runner')).status).toBe(404);
  expect(await outboxCount()).toBe(events);
  expect((await h.admin.get<{ variants: unknown[] }>(`/v1/admin/products?q=old-boot`)).body).toMatchObject({ items: [{ version: 1, variants: [{ sku: 'BOOT-40' }] }] });
});

it('applies the good rows as an upsert by SKU, then a second import of the same file changes nothing and emits nothing', async () => {
  const before = await outboxCount();
  const first = await upload(CSV, false);
  expect(first).toMatchObject({ status: 'succeeded', createdRows: 4, updatedRows: 0, unchangedRows: 0, failedRows: 6 });
  expect(first.errors.map((e) => [e.row, e.field])).toEqual(EXPECTED_ERRORS);

  const trail = productDetailSchema.parse((await h.public.get('/v1/products/trail-runner')).body);
  expect(trail).toMatchObject({
    name: 'Trail Runner',
    description: 'Light trail shoe',
    category: { slug: 'shoes' },
    images: [{ url: 'https://shop.test/assets/products/trail.jpg', alt: 'Trail runner from the side' }],
    options: [{ name: 'size', values: ['42', '43'] }],
    variants: [{ sku: 'TRAIL-42', priceMinor: 8900 }, { sku: 'TRAIL-43', priceMinor: 8900 }],
  });
  expect(productDetailSchema.parse((await h.public.get('/v1/products/city-sneaker')).body).variants.map((v) => v.sku)).toEqual(['CITY-41']);
  // The SKU new to an existing product joins its variants; the one the file leaves out stays.
  const boot = productDetailSchema.parse((await h.public.get('/v1/products/old-boot')).body);
  expect(boot).toMatchObject({ version: 2, variants: [{ sku: 'BOOT-40', priceMinor: 12000 }, { sku: 'BOOT-41', priceMinor: 12500 }] });

  const rows = (await h.database.db('outbox').select('type', 'data').orderBy('seq').offset(before)) as Array<{ type: 'catalog.product_created' | 'catalog.product_updated'; data: unknown }>;
  expect(rows.map((r) => r.type).sort()).toEqual(['catalog.product_created', 'catalog.product_created', 'catalog.product_updated']);
  for (const r of rows) catalogEventDataSchemas[r.type].parse(r.data);

  const events = await outboxCount();
  const second = await upload(CSV, false);
  expect(second).toMatchObject({ status: 'succeeded', createdRows: 0, updatedRows: 0, unchangedRows: 4, failedRows: 6 });
  expect(await outboxCount()).toBe(events);
  expect(productDetailSchema.parse((await h.public.get('/v1/products/trail-runner')).body).version).toBe(1);
});

it('updates only what a changed file changes; a blank optional column keeps the stored value', async () => {
  const events = await outboxCount();
  const csv = [
    'product_slug,product_name,currency,sku,price_minor,description',
    'trail-runner,Trail Runner,EUR,TRAIL-42,7900,',
    'trail-runner,Trail Runner,EUR,TRAIL-43,8900,',
  ].join('\n');
  const job = await upload(csv, false);
  expect(job).toMatchObject({ createdRows: 0, updatedRows: 1, unchangedRows: 1, failedRows: 0 });
  expect(productDetailSchema.parse((await h.public.get('/v1/products/trail-runner')).body)).toMatchObject({
    version: 2,
    description: 'Light trail shoe',
    status: 'active',
    priceMinor: 7900,
    variants: [{ sku: 'TRAIL-42', priceMinor: 7900, options: { size: '42' } }, { sku: 'TRAIL-43' }],
  });
  expect(await outboxCount()).toBe(events + 1);
});

it('reports progress while a large file runs', async () => {
  const lines = [HEADER, ...Array.from({ length: 200 }, (_, i) => `bulk-${i},Bulk ${i},EUR,BULK-${i},${100 + i},,active,shoes,,`)];
  const r = await h.admin.post<Job>('/v1/admin/imports/upload?dryRun=false', lines.join('\n'), { 'content-type': 'text/csv' });
  const seen: number[] = [];
  const job = await finished(r.body.id, (j) => seen.push(j.progress));
  expect(job).toMatchObject({ status: 'succeeded', totalRows: 200, processedRows: 200, createdRows: 200, progress: 1 });
  expect(seen.some((p) => p > 0 && p < 1)).toBe(true);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
}, 60_000);

it('fails a file without the required columns, or whose object does not exist, saying why', async () => {
  const noColumns = await upload('product_slug,name\nx,y', false);
  expect(noColumns).toMatchObject({ status: 'failed', failure: expect.stringContaining('product_name, currency, sku, price_minor') });
  const missing = await h.admin.post<Job>('/v1/admin/imports', { source: 'gs://catalog-imports-test/missing.csv' });
  expect(missing.status).toBe(202);
  expect(await finished(missing.body.id)).toMatchObject({ status: 'failed', failure: expect.stringContaining('missing.csv') });
  const bad = await h.admin.post('/v1/admin/imports', { source: 'https://example.com/x.csv' });
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ errors: [{ field: 'body.source' }] });
  const empty = await h.admin.post('/v1/admin/imports/upload', '  ', { 'content-type': 'text/csv' });
  expect(empty.status).toBe(400);
});
