import fc from 'fast-check';
import { createCategory, createProduct, startHarness, type Harness, type Reply } from './support';

let h: Harness;
let productId: string;
let categoryId: string;

beforeAll(async () => {
  h = await startHarness();
  categoryId = (await createCategory(h, 'fz-cat', 'Fuzz')).id;
  productId = (await createProduct(h, { slug: 'fz-product', name: 'Fuzz Product', categoryId, variants: [{ sku: 'FZ-1', priceMinor: 100, options: { size: 'M' } }] })).id;
});

afterAll(async () => {
  await h.close();
});

/** Values that tend to break parsers, arithmetic and SQL. */
const nasty = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 0, 1.5, 2 ** 31, -(2 ** 31), 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, '', ' ', '0', '-0', 'NaN', 'Infinity', 'fz\u0000', '../../etc/passwd', '%', '%00', "'; drop table products; --", '\\', ':*', '&|!()', null, [], {}, true),
  fc.string({ maxLength: 300 }),
  fc.integer(),
);
const nastyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', ' ', '-1', '0', '1.5', '1e9', '99999999999999999999', 'NaN', 'true', 'relevance', 'newest', 'fz-cat', 'FZ-1', '%', '\u0000', "' or 1=1 --", ':*', '!', '&', '(', 'hoodei', 'a'.repeat(600), 'eyJzIjoibmFtZSIsImsiOiJ4IiwiaWQiOiIxIn0'),
  fc.string({ unit: 'binary', maxLength: 50 }),
);

const isProblem = (r: Reply<unknown>): boolean => {
  const body = r.body as { status?: unknown; title?: unknown; type?: unknown } | null;
  return (r.headers.get('content-type') ?? '').includes('application/problem+json') && body?.status === r.status && typeof body?.title === 'string' && typeof body?.type === 'string';
};

const expectHandled = (r: Reply<unknown>) => {
  expect(r.status).toBeLessThan(500);
  if (r.status >= 400) expect(isProblem(r)).toBe(true);
};

describe('public reads', () => {
  const queryKeys = fc.constantFrom('q', 'category', 'minPrice', 'maxPrice', 'inStock', 'sort', 'cursor', 'limit', 'skus', 'q[x]', 'limit[]', 'extra');
  const query = fc.dictionary(queryKeys, fc.oneof({ weight: 4, arbitrary: nastyText }, { weight: 1, arbitrary: fc.array(nastyText, { maxLength: 3 }) }), { maxKeys: 5 }).map((record) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(record)) for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
    return params.toString();
  });

  it('answers fuzzed listing, search and pricing queries with 200 or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom('/v1/products', '/v1/skus', '/v1/categories'), async (q, path) => {
        expectHandled(await h.public.get(`${path}?${q}`));
      }),
      { numRuns: 600 },
    );
  }, 120_000);

  it('answers raw query strings and product references with 200, 404 or a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), fc.oneof(nastyText, fc.uuid()), async (raw, ref) => {
        expectHandled(await h.public.get(`/v1/products?${raw}`));
        expectHandled(await h.public.get(`/v1/products/${encodeURIComponent(ref)}`));
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('admin mutations', () => {
  const outboxCount = async (): Promise<number> => Number(((await h.database.db('outbox').count('* as n').first()) as { n: string }).n);

  /** A valid request per endpoint; the fuzzer keeps its shape and breaks its values. */
  const endpoints: Array<{ method: 'post' | 'patch'; path: () => string; valid: Record<string, unknown> }> = [
    {
      method: 'post',
      path: () => '/v1/admin/products',
      valid: { slug: 'fz-new', name: 'New', description: 'd', status: 'draft', categoryId: categoryId, currency: 'EUR', images: [{ uri: 'gs://fz-bucket/x.jpg', alt: 'x' }], variants: [{ sku: 'FZ-NEW', priceMinor: 100, options: { size: 'S' } }] },
    },
    { method: 'patch', path: () => `/v1/admin/products/${productId}`, valid: { name: 'Renamed', currency: 'EUR', variants: [{ sku: 'FZ-1', priceMinor: 200, options: { size: 'M' } }], expectedVersion: 1 } },
    { method: 'post', path: () => `/v1/admin/products/${productId}/status`, valid: { status: 'active' } },
    { method: 'post', path: () => '/v1/admin/categories', valid: { slug: 'fz-child', name: 'Child', parentId: categoryId, position: 1 } },
    { method: 'patch', path: () => `/v1/admin/categories/${categoryId}`, valid: { name: 'Fuzz', slug: 'fz-cat', position: 0 } },
    { method: 'post', path: () => `/v1/admin/categories/${categoryId}/move`, valid: { parentId: null, position: 0 } },
    { method: 'post', path: () => '/v1/admin/imports', valid: { source: 'gs://fz-bucket/file.csv', dryRun: true } },
  ];

  /** Keeps the valid shape but replaces, drops or adds fields. */
  const mutated = (valid: Record<string, unknown>) =>
    fc
      .tuple(fc.subarray(Object.keys(valid)), fc.dictionary(fc.constantFrom(...Object.keys(valid), 'extra', '__proto__', 'constructor'), nasty, { maxKeys: 3 }))
      .map(([keep, overrides]) => ({ ...Object.fromEntries(keep.map((k) => [k, valid[k]])), ...overrides }));
  const body = (valid: Record<string, unknown>) => fc.oneof({ weight: 3, arbitrary: mutated(valid) }, { weight: 1, arbitrary: fc.jsonValue() });

  it('answers every malformed mutation with a 4xx problem, and a rejected one writes no event', async () => {
    let cases = 0;
    for (const endpoint of endpoints) {
      await fc.assert(
        fc.asyncProperty(body(endpoint.valid), async (payload) => {
          cases++;
          const before = await outboxCount();
          const res = await h.admin[endpoint.method](endpoint.path(), payload);
          expectHandled(res);
          if (res.status >= 400) expect(await outboxCount()).toBe(before);
        }),
        { numRuns: 150 },
      );
    }
    expect(cases).toBeGreaterThanOrEqual(1_000);
  }, 300_000);

  it('answers fuzzed ids in admin paths with a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(nastyText, fc.uuid()), async (id) => {
        const ref = encodeURIComponent(id);
        expectHandled(await h.admin.get(`/v1/admin/products/${ref}`));
        expectHandled(await h.admin.delete(`/v1/admin/categories/${ref}`));
        expectHandled(await h.admin.get(`/v1/admin/imports/${ref}`));
        expectHandled(await h.admin.get(`/v1/admin/products?cursor=${ref}&q=${ref}`));
      }),
      { numRuns: 200 },
    );
  }, 120_000);

  it('answers raw garbage bodies and wrong content types with a 4xx problem', async () => {
    const token = await h.issuer.sign({ subject: 'fz', roles: ['admin'], warehouses: [] });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 500 }),
        fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'text/csv', 'application/json; charset=latin1'),
        fc.constantFrom('/v1/admin/products', '/v1/admin/categories', '/v1/admin/imports'),
        async (text, type, path) => {
          const res = await fetch(`${h.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body: text });
          expect(res.status).toBeGreaterThanOrEqual(400);
          expect(res.status).toBeLessThan(500);
          expect(res.headers.get('content-type')).toContain('application/problem+json');
        },
      ),
      { numRuns: 300 },
    );
  }, 120_000);
});
