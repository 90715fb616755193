import { randomUUID } from 'node:crypto';
import { TEST_CARDS } from '@shop/contracts';
import { seedShop, startShop, type Shop } from './support/shop';
import { Visitor } from './support/visitor';

let shop: Shop;

beforeAll(async () => {
  shop = await startShop({ name: 'api' });
  await seedShop(shop);
});

afterAll(async () => {
  await shop.close();
});

const checkoutBody = (cardNumber: string = TEST_CARDS.approved) => ({
  checkoutId: randomUUID(),
  email: 'ada@example.com',
  shipping: { name: 'Ada Lovelace', line1: '12 St James Square', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  payment: { method: 'card', cardNumber, expiry: '12/39', cvc: '123' },
});

interface CartBody {
  id: string | null;
  itemCount: number;
  lines: Array<{ sku: string; quantity: number }>;
}

it('documents every route in its OpenAPI document', async () => {
  const res = await fetch(`${shop.url}/api/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string }> }>> };
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths).sort()).toEqual(
    [
      '/api/v1/availability',
      '/api/v1/cart',
      '/api/v1/cart/items',
      '/api/v1/cart/items/{sku}',
      '/api/v1/categories',
      '/api/v1/checkout',
      '/api/v1/orders/lookup',
      '/api/v1/orders/{number}',
      '/api/v1/products',
      '/api/v1/products/{slug}',
      '/api/v1/products/{slug}/also-viewed',
      '/live/stock',
    ].sort(),
  );
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      // The lookup is a read sent as a POST (the email stays out of URLs); every change takes a key.
      if (method !== 'get' && path !== '/api/v1/orders/lookup') expect({ path, method, keys: operation.parameters.map((p) => p.name) }).toEqual({ path, method, keys: expect.arrayContaining(['Idempotency-Key']) });
    }
  }
});

it('lists, filters, searches and shows products, cacheable like the pages', async () => {
  const visitor = new Visitor(shop.url);
  const categories = await visitor.api('GET', '/api/v1/categories');
  expect((categories.json as { items: Array<{ slug: string; path: Array<{ slug: string }> }> }).items.find((c) => c.slug === 'tees')?.path.map((p) => p.slug)).toEqual(['apparel', 'tees']);
  const kitchen = await visitor.api('GET', '/api/v1/products?category=kitchen&sort=price_asc');
  expect(kitchen.status).toBe(200);
  expect(kitchen.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=60, stale-while-revalidate=300');
  expect(kitchen.headers.get('ratelimit-remaining')).toBeNull();
  expect((kitchen.json as { items: Array<{ slug: string }> }).items.map((p) => p.slug)).toEqual(['espresso-cup', 'enamel-mug']);
  const search = await visitor.api('GET', '/api/v1/products?q=enamle');
  expect((search.json as { items: Array<{ slug: string }> }).items.map((p) => p.slug)).toContain('enamel-mug');
  const product = await visitor.api('GET', '/api/v1/products/classic-tee');
  expect(product.json).toMatchObject({ slug: 'classic-tee', variants: [expect.objectContaining({ sku: 'TEE-BLK-M' }), expect.objectContaining({ sku: 'TEE-BLK-L' })] });
  expect((await visitor.api('GET', '/api/v1/products/no-such-thing')).status).toBe(404);
  // Without co-view data, "also viewed" falls back to the category's best sellers.
  const also = await visitor.api('GET', '/api/v1/products/enamel-mug/also-viewed');
  expect((also.json as { items: Array<{ slug: string }> }).items.map((p) => p.slug)).toEqual(['espresso-cup']);
  const availability = await visitor.api('GET', '/api/v1/availability?skus=MUG-ENA,CUP-ESP,NOPE');
  expect(availability.json).toEqual({ items: [{ sku: 'MUG-ENA', available: 30 }, { sku: 'CUP-ESP', available: 0 }, { sku: 'NOPE', available: 0 }] });
  expect(availability.headers.get('cache-control')).toBe('public, max-age=0, s-maxage=5, stale-while-revalidate=5');
});

it('keeps a cart through the cookie session: add, set, remove; private and never cached', async () => {
  const visitor = new Visitor(shop.url);
  const empty = await visitor.api('GET', '/api/v1/cart');
  expect(empty.json).toEqual({ id: null, currency: null, lines: [], itemCount: 0, subtotalMinor: 0 });
  expect(empty.headers.get('cache-control')).toBe('private, no-store');
  const added = await visitor.api('POST', '/api/v1/cart/items', { sku: 'MUG-ENA', quantity: 2 });
  expect(added.status).toBe(200);
  expect(added.json).toMatchObject({ itemCount: 2, subtotalMinor: 2500, currency: 'EUR', lines: [expect.objectContaining({ sku: 'MUG-ENA', quantity: 2, problem: null })] });
  const set = await visitor.api('PUT', '/api/v1/cart/items/MUG-ENA', { quantity: 5 });
  expect((set.json as CartBody).itemCount).toBe(5);
  await visitor.api('POST', '/api/v1/cart/items', { sku: 'CUP-ESP', quantity: 1 }).then((r) => {
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ type: expect.stringContaining('insufficient-stock'), available: 0, instance: '/api/v1/cart/items' });
  });
  const removed = await visitor.api('DELETE', '/api/v1/cart/items/MUG-ENA');
  expect(removed.json).toMatchObject({ itemCount: 0, lines: [] });
});

it('replays a retried change with the same Idempotency-Key instead of repeating it', async () => {
  const visitor = new Visitor(shop.url);
  const key = randomUUID();
  const first = await visitor.api('POST', '/api/v1/cart/items', { sku: 'SHIRT-LIN', quantity: 1 }, { 'idempotency-key': key });
  const retry = await visitor.api('POST', '/api/v1/cart/items', { sku: 'SHIRT-LIN', quantity: 1 }, { 'idempotency-key': key });
  expect(retry.status).toBe(200);
  expect(retry.headers.get('idempotent-replayed')).toBe('true');
  expect(retry.json).toEqual(first.json);
  expect(((await visitor.api('GET', '/api/v1/cart')).json as CartBody).itemCount).toBe(1);
  const reused = await visitor.api('POST', '/api/v1/cart/items', { sku: 'SHIRT-LIN', quantity: 3 }, { 'idempotency-key': key });
  expect(reused.status).toBe(422);
  expect(reused.json).toMatchObject({ type: expect.stringContaining('idempotency-key-reused') });
  // Another shopper's identical key is theirs alone.
  const another = new Visitor(shop.url);
  await another.get('/cart');
  const other = await another.api('POST', '/api/v1/cart/items', { sku: 'SHIRT-LIN', quantity: 1 }, { 'idempotency-key': key });
  expect(other.status).toBe(200);
  expect(other.headers.get('idempotent-replayed')).toBeNull();
});

it('checks out, finds the order again, and explains refusals as problems', async () => {
  const visitor = new Visitor(shop.url);
  const none = await visitor.api('POST', '/api/v1/checkout', checkoutBody());
  expect(none.status).toBe(409);
  expect(none.json).toMatchObject({ type: expect.stringContaining('cart-empty') });

  await visitor.api('POST', '/api/v1/cart/items', { sku: 'TEE-BLK-M', quantity: 2 });
  const declined = await visitor.api('POST', '/api/v1/checkout', checkoutBody(TEST_CARDS.declined));
  expect(declined.status).toBe(402);
  expect(declined.json).toMatchObject({ type: expect.stringContaining('payment-declined'), detail: expect.stringContaining('not been charged') });

  const body = checkoutBody();
  const placed = await visitor.api('POST', '/api/v1/checkout', body);
  expect(placed.status).toBe(201);
  const order = placed.json as { number: string; totalMinor: number; lines: Array<{ sku: string; quantity: number }> };
  expect(order.lines).toEqual([expect.objectContaining({ sku: 'TEE-BLK-M', quantity: 2 })]);
  expect(placed.headers.get('location')).toBe(`/api/v1/orders/${order.number}`);
  // The same checkout id again (a retry) answers with the same order.
  const again = await visitor.api('POST', '/api/v1/checkout', body);
  expect((again.json as { number: string }).number).toBe(order.number);

  expect(((await visitor.api('GET', `/api/v1/orders/${order.number}`)).json as { number: string }).number).toBe(order.number);
  expect(((await visitor.api('GET', '/api/v1/cart')).json as CartBody).id).toBeNull();
  const stranger = new Visitor(shop.url);
  expect((await stranger.api('GET', `/api/v1/orders/${order.number}`)).status).toBe(404);
  const found = await stranger.api('POST', '/api/v1/orders/lookup', { number: order.number.toLowerCase(), email: 'ada@example.com' });
  expect(found.status).toBe(200);
  expect((await stranger.api('POST', '/api/v1/orders/lookup', { number: order.number, email: 'eve@example.com' })).status).toBe(404);

  // The order pages agree: the confirmation for this browser, the lookup form for anyone with the email.
  const confirmation = await visitor.get(`/orders/${order.number}`);
  expect(confirmation.status).toBe(200);
  expect(confirmation.text).toContain(order.number);
  expect((await stranger.get(`/orders/${order.number}`)).status).toBe(404);
  const looked = await stranger.postForm('/orders/lookup', { number: order.number, email: 'ada@example.com' });
  expect(looked.status).toBe(200);
  expect(looked.text).toContain('Classic Tee');
  const wrong = await stranger.postForm('/orders/lookup', { number: order.number, email: 'nobody' });
  expect(wrong.status).toBe(422);
  expect(wrong.text).toMatch(/id="field-email"[^>]*aria-describedby="field-email-error"/);
});
