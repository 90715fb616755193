import { createHash } from 'node:crypto';
import { CookieSigner, devServiceCredentials, listen, MemoryCache, type RunningServer } from '@shop/kit';
import { freePort } from '../../kit/test-support/ports';
import { createCallees, createStorefrontApp } from '../src/index';
import { COOKIE_KEY, seedShop, startShop, type Shop } from './support/shop';
import { Visitor } from './support/visitor';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop({ name: 'headers', settings: { LISTING_PAGE_SIZE: 3 } });
  await seedShop(shop);
});

afterAll(async () => {
  await shop.close();
});

const PUBLIC = /^public, max-age=0, s-maxage=60, stale-while-revalidate=300$/;
const PUBLIC_PAGES = ['/', '/c/apparel', '/c/tees?inStock=true&sort=price_asc', '/search?q=tee', '/search?q=zzzzqqqq', '/p/classic-tee'];

/** A returning shopper's cookies: cacheable pages must ignore them entirely. */
async function returningVisitor(): Promise<Visitor> {
  const visitor = new Visitor(shop.url);
  await visitor.get('/cart');
  expect(visitor.jar.has('sid')).toBe(true);
  return visitor;
}

describe('public pages', () => {
  it.each(PUBLIC_PAGES)('%s is cacheable by the CDN, varies only on Accept-Encoding and sets no cookie', async (path) => {
    for (const visitor of [new Visitor(shop.url), await returningVisitor()]) {
      const res = await visitor.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(PUBLIC);
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      // Nothing about the shopper: no ids of theirs anywhere in the page.
      for (const value of visitor.jar.values()) expect(res.text).not.toContain(value.split('.')[0]);
    }
  });

  it('renders what each page is for', async () => {
    const visitor = new Visitor(shop.url);
    const home = await visitor.get('/');
    expect(home.text).toContain('href="/c/apparel"');
    expect(home.text).toContain('<a class="skip-link" href="#main">');
    const category = await visitor.get('/c/apparel');
    // A category lists its descendants' products too.
    expect(category.text).toContain('href="/p/classic-tee"');
    expect(category.text).toContain('href="/p/linen-shirt"');
    expect(category.text).not.toContain('href="/p/enamel-mug"');
    const cheapFirst = await visitor.get('/c/kitchen?sort=price_asc');
    expect(cheapFirst.text.indexOf('/p/espresso-cup')).toBeLessThan(cheapFirst.text.indexOf('/p/enamel-mug'));
    const inStock = await visitor.get('/c/kitchen?inStock=true');
    expect(inStock.text).toContain('/p/enamel-mug');
    expect(inStock.text).not.toContain('/p/espresso-cup');
    const priced = await visitor.get('/c/kitchen?minPrice=10&maxPrice=20');
    expect(priced.text).toContain('/p/enamel-mug');
    expect(priced.text).not.toContain('/p/espresso-cup');
    const none = await visitor.get('/search?q=zzzzqqqq');
    expect(none.text).toContain('No results for “zzzzqqqq”');
    const product = await visitor.get('/p/classic-tee');
    expect(product.text).toContain('data-live-skus="TEE-BLK-M,TEE-BLK-L"');
    expect(product.text).toContain('aria-live="polite"');
    expect(product.text).toContain('Only 3 left');
    expect(product.text).toContain('data-beacon="product_viewed"');
    expect(product.text).toContain('<noscript><img src="/beacon/pixel.gif?type=product_viewed&amp;productId=');
  });

  it('pages through a category with cursor links that keep the filters', async () => {
    const visitor = new Visitor(shop.url);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) await shop.product({ slug: `page-tee-${i}`, name: `Page Tee ${i}`, category: 'tees', variants: [{ sku: `PAGE-TEE-${i}`, priceMinor: 1000 + i, stock: 1 }] });
    let path: string | null = '/c/tees?sort=name';
    let pages = 0;
    while (path) {
      const res = await visitor.get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(PUBLIC);
      seen.push(...[...res.text.matchAll(/<li class="card">\s*<a href="\/p\/([a-z0-9-]+)"/g)].map((m) => m[1]!));
      if (pages++ > 0) expect(res.text).toContain('<a href="/c/tees?sort=name">First page</a>');
      const next = /<a href="([^"]+)" rel="next">/.exec(res.text)?.[1]?.replaceAll('&amp;', '&') ?? null;
      if (next) expect(next).toMatch(/^\/c\/tees\?sort=name&cursor=[A-Za-z0-9_-]+$/);
      path = next;
      expect(pages).toBeLessThanOrEqual(3);
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(['classic-tee', 'page-tee-0', 'page-tee-1', 'page-tee-2']);
    const forged = await visitor.get('/c/tees?sort=name&cursor=bm90LWEtY3Vyc29y');
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('Page link is not a page link this shop made');
  });
});

describe('escaping', () => {
  it('shows product text and search words as text, never as markup', async () => {
    await shop.product({ slug: 'sneaky-tee', name: '<script>alert("name")</script> Tee', description: '<img src=x onerror=alert(1)>', category: 'tees', variants: [{ sku: 'SNEAKY-1', priceMinor: 100, stock: 1 }] });
    const visitor = new Visitor(shop.url);
    const product = await visitor.get('/p/sneaky-tee');
    expect(product.status).toBe(200);
    expect(product.text).not.toContain('<script>alert');
    expect(product.text).not.toContain('<img src=x');
    expect(product.text).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt; Tee');
    const search = await visitor.get(`/search?q=${encodeURIComponent('"><script>alert(2)</script>')}`);
    expect(search.status).toBe(200);
    expect(search.text).not.toContain('<script>alert(2)');
    expect(search.text).toContain('value="&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"');
  });
});

describe('errors', () => {
  it('answers unknown products and categories with a 404 page the CDN keeps only briefly', async () => {
    for (const path of ['/p/no-such-product', '/c/no-such-category', '/p/NOT_A_SLUG', '/nowhere']) {
      const res = await new Visitor(shop.url).get(path);
      expect(res.status).toBe(404);
      expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=10');
      expect(res.headers.getSetCookie()).toEqual([]);
      expect(res.text).toContain('<h1>Page not found</h1>');
    }
  });

  it('shows filter errors next to their fields', async () => {
    const res = await new Visitor(shop.url).get('/c/apparel?minPrice=abc&maxPrice=5&sort=sideways');
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="minPrice"[^>]*aria-describedby="minPrice-error"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('id="minPrice-error"');
    expect(res.text).toContain('id="sort-error"');
    expect(res.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=10');
  });

  it('shows a friendly 503 page (and a problem for the API), never cached, when the catalog cannot be reached', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const callees = createCallees({ catalogUrl: nowhere, inventoryUrl: nowhere, ordersUrl: nowhere, activityUrl: nowhere, credentials: devServiceCredentials(shop.issuer, 'storefront@test'), timeoutMs: 500 });
    const { app } = createStorefrontApp({ logger: shop.logger, cache: new MemoryCache(), cookies: new CookieSigner(COOKIE_KEY), callees, activity: { record: () => undefined } });
    const server: RunningServer = await listen(app, 0, '127.0.0.1');
    try {
      const visitor = new Visitor(server.url);
      for (const path of ['/', '/c/apparel', '/p/classic-tee', '/search?q=tee']) {
        const page = await visitor.get(path);
        expect(page.status).toBe(503);
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(page.headers.get('retry-after')).toBe('30');
        expect(page.text).toContain('We will be right back');
      }
      const cart = await visitor.postForm('/cart/items', { sku: 'TEE-BLK-M', quantity: '1' });
      expect(cart.status).toBe(503);
      expect(cart.headers.get('cache-control')).toBe('private, no-store');
      const api = await visitor.api('GET', '/api/v1/products');
      expect(api.status).toBe(503);
      expect(api.headers.get('content-type')).toContain('application/problem+json');
      expect(api.json).toMatchObject({ status: 503, type: expect.stringContaining('temporarily-unavailable') });
    } finally {
      await server.close();
      callees.close();
    }
  });
});

describe('private pages', () => {
  it.each(['/cart', '/checkout', '/orders/lookup', '/orders/ABCD-EFGH'])('%s is never stored', async (path) => {
    const res = await new Visitor(shop.url).get(path);
    expect([200, 303, 404]).toContain(res.status);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });
});

describe('static assets', () => {
  it('serves the stylesheet and script under content-hashed names, immutable for a year', async () => {
    const page = await new Visitor(shop.url).get('/');
    const css = /href="(\/static\/app\.([0-9a-f]{16})\.css)"/.exec(page.text);
    const js = /src="(\/static\/app\.([0-9a-f]{16})\.js)"/.exec(page.text);
    expect(css && js).toBeTruthy();
    for (const [, path, hash] of [css!, js!]) {
      const res = await fetch(shop.url + path!);
      const body = Buffer.from(await res.arrayBuffer());
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(createHash('sha256').update(body).digest('hex').slice(0, 16)).toBe(hash);
    }
    const stale = await fetch(`${shop.url}/static/app.0123456789abcdef.css`);
    expect(stale.status).toBe(404);
    expect(stale.headers.get('cache-control')).toBe('no-store');
  });
});
