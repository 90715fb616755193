import { ORDERS_SOURCE, orderEventDataSchema, orderViewSchema, TEST_CARDS, TOPICS, type OrderView } from '@shop/contracts';
import { availableOf, checkoutBody, outboxEvents, shopper, startPlatform, type Platform } from './support';

let p: Platform;

beforeAll(async () => {
  p = await startPlatform({ name: 'checkout', settings: { paymentTimeoutMs: 300 } });
  await p.product({ slug: 'linen-shirt', variants: [{ sku: 'SHIRT-M', priceMinor: 4_500, stock: 10 }, { sku: 'SHIRT-L', priceMinor: 4_700, stock: 10 }] });
  await p.product({ slug: 'wool-socks', variants: [{ sku: 'SOCKS', priceMinor: 1_200, stock: 30 }] });
});

afterAll(async () => {
  await p.close();
});

const reservationsOf = (reference: string) => p.databases.inventory.db('reservations').where({ reference }).select('id', 'status');

it('checks a cart out end to end: paid order, committed reservation, order.placed and order.paid in the outbox', async () => {
  const who = shopper('happy');
  const cart = await p.cart(who, [{ sku: 'SHIRT-M', quantity: 2 }, { sku: 'SOCKS', quantity: 3 }]);
  expect(cart.subtotalMinor).toBe(2 * 4_500 + 3 * 1_200);
  const body = checkoutBody(cart);

  const res = await p.storefront.post<OrderView>('/v1/checkouts', body);

  expect(res.status).toBe(201);
  const order = orderViewSchema.parse(res.body);
  expect(order).toMatchObject({ status: 'paid', shopperId: who, currency: 'EUR', subtotalMinor: 12_600, totalMinor: 12_600, payment: { state: 'captured', brand: 'visa', last4: '4242' } });
  expect(order.number).toMatch(/^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$/);
  expect(order.lines.map((l) => [l.sku, l.quantity, l.lineTotalMinor])).toEqual([['SHIRT-M', 2, 9_000], ['SOCKS', 3, 3_600]]);
  expect(res.headers.get('location')).toBe(`/v1/orders/${order.id}`);

  const [reservation] = await reservationsOf(body.checkoutId);
  expect(reservation).toMatchObject({ status: 'committed' });
  expect(await availableOf(p, 'SHIRT-M')).toBe(8);
  expect(await availableOf(p, 'SOCKS')).toBe(27);
  expect(p.payments.payment(body.checkoutId)).toMatchObject({ state: 'captured', amountMinor: 12_600 });

  const events = await outboxEvents(p, order.id);
  expect(events.map((e) => e.type)).toEqual(['order.placed', 'order.paid']);
  for (const event of events) {
    expect(event).toMatchObject({ topic: TOPICS.orders, source: ORDERS_SOURCE, subject: order.id });
    const data = orderEventDataSchema.parse(event.data);
    expect(data).toMatchObject({ orderId: order.id, orderNumber: order.number, shopperId: who, totalMinor: 12_600, reason: null });
    expect(data.lines[0]).toMatchObject({ sku: 'SHIRT-M', name: 'Product linen-shirt', productId: expect.any(String), categoryId: null });
  }
  expect(orderEventDataSchema.parse(events[1]!.data).status).toBe('paid');

  // The ordered lines leave the cart.
  const after = await p.storefront.get(`/v1/carts/${cart.id}?shopperId=${who}`);
  expect(after.body).toMatchObject({ lines: [], itemCount: 0, currency: null });
  // The shopper finds the order by number and email (any case), and by id.
  const found = await p.storefront.get<OrderView>(`/v1/orders/lookup?number=${order.number.toLowerCase().replace('-', '')}&email=ADA@example.com`);
  expect(found.status).toBe(200);
  expect(found.body.id).toBe(order.id);
  expect((await p.storefront.get(`/v1/orders/lookup?number=${order.number}&email=eve@example.com`)).status).toBe(404);
  expect((await p.storefront.get(`/v1/orders/${order.id}?shopperId=${who}`)).body).toMatchObject({ id: order.id, status: 'paid' });
  expect((await p.storefront.get(`/v1/orders/${order.id}?shopperId=${shopper('other')}`)).status).toBe(404);
});

it('answers a declined card with 402, cancels the order and puts the stock back', async () => {
  const who = shopper('declined');
  const cart = await p.cart(who, [{ sku: 'SHIRT-L', quantity: 4 }]);
  const body = checkoutBody(cart, { cardNumber: TEST_CARDS.declined });

  const res = await p.storefront.post('/v1/checkouts', body);

  expect(res.status).toBe(402);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ type: expect.stringContaining('payment-declined'), status: 402 });
  expect(await availableOf(p, 'SHIRT-L')).toBe(10);
  const [reservation] = await reservationsOf(body.checkoutId);
  expect(reservation).toMatchObject({ status: 'released' });
  const order = await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).first();
  expect(order).toMatchObject({ status: 'cancelled', payment_state: 'declined', reason: 'payment_declined' });
  expect((await outboxEvents(p, order.id)).map((e) => e.type)).toEqual(['order.placed', 'order.cancelled']);
  // The cart keeps its lines so the shopper can try another card; a repeat gets the same answer.
  expect((await p.storefront.get(`/v1/carts/${cart.id}?shopperId=${who}`)).body).toMatchObject({ itemCount: 4 });
  const repeat = await p.storefront.post('/v1/checkouts', body);
  expect(repeat.status).toBe(402);
  expect(repeat.headers.get('idempotent-replayed')).toBe('true');
});

it('gives up on a provider that never answers: voids, releases, cancels and says nothing was charged', async () => {
  const who = shopper('timeout');
  const cart = await p.cart(who, [{ sku: 'SOCKS', quantity: 5 }]);
  const before = await availableOf(p, 'SOCKS');
  const body = checkoutBody(cart, { cardNumber: TEST_CARDS.timeout });

  const started = Date.now();
  const res = await p.storefront.post('/v1/checkouts', body);

  expect(res.status).toBe(504);
  expect(res.body).toMatchObject({ type: expect.stringContaining('payment-timeout'), title: 'Payment could not be confirmed', detail: expect.stringContaining('Nothing was charged') });
  expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  // The provider took the authorization before going silent; the checkout voided it.
  expect(p.payments.payment(body.checkoutId)).toMatchObject({ state: 'voided' });
  expect(await availableOf(p, 'SOCKS')).toBe(before);
  expect((await reservationsOf(body.checkoutId))[0]).toMatchObject({ status: 'released' });
  expect(await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).first()).toMatchObject({ status: 'cancelled', payment_state: 'voided', reason: 'payment_timeout' });
});

it('places exactly one order for 10 concurrent submits of one checkout to two instances, and every caller gets it', async () => {
  const who = shopper('double');
  const cart = await p.cart(who, [{ sku: 'SHIRT-M', quantity: 1 }]);
  const before = await availableOf(p, 'SHIRT-M');
  const body = checkoutBody(cart);
  const second = await p.instance();

  const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? second.storefront : p.storefront).post<OrderView>('/v1/checkouts', body)));
  await second.close();

  expect(replies.map((r) => r.status)).toEqual(Array(10).fill(201));
  const ids = new Set(replies.map((r) => r.body.id));
  expect(ids.size).toBe(1);
  expect(await p.databases.orders.db('orders').where({ checkout_id: body.checkoutId }).count<Array<{ count: string }>>('* as count')).toEqual([{ count: '1' }]);
  expect(await reservationsOf(body.checkoutId)).toHaveLength(1);
  expect(await availableOf(p, 'SHIRT-M')).toBe(before - 1);
  expect(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(9);
  // Later repeats (a reload, another tab) still get the order.
  const later = await p.storefront.post<OrderView>('/v1/checkouts', body);
  expect(later.status).toBe(201);
  expect(later.body.id).toBe([...ids][0]);
  // The same checkout id for a different address is refused, not silently merged.
  const reused = await p.storefront.post('/v1/checkouts', { ...body, email: 'someone@example.com' });
  expect(reused.status).toBe(422);
  expect(reused.body).toMatchObject({ type: expect.stringContaining('checkout-id-reused') });
});

it('refuses checkout of an empty cart, a cart of another shopper, and a cart whose price changed', async () => {
  const who = shopper('refusals');
  const empty = await p.cart(who, []);
  expect((await p.storefront.post('/v1/checkouts', checkoutBody(empty))).body).toMatchObject({ status: 409, type: expect.stringContaining('cart-empty') });
  const cart = await p.cart(who, [{ sku: 'SOCKS', quantity: 1 }]);
  expect((await p.storefront.post('/v1/checkouts', checkoutBody(cart, { shopperId: shopper('intruder') }))).status).toBe(404);

  const product = await p.catalogAdmin.get<{ items: Array<{ id: string; slug: string }> }>('/v1/admin/products?q=wool');
  const socks = product.body.items.find((i) => i.slug === 'wool-socks')!;
  expect((await p.catalogAdmin.patch(`/v1/admin/products/${socks.id}`, { variants: [{ sku: 'SOCKS', priceMinor: 1_300 }] })).status).toBe(200);
  const body = checkoutBody(cart);
  const changed = await p.storefront.post('/v1/checkouts', body);
  expect(changed.status).toBe(409);
  expect(changed.body).toMatchObject({ type: expect.stringContaining('prices-changed'), changes: [{ sku: 'SOCKS', before: 1_200, after: 1_300 }] });
  // The cart now shows the new price, and the same checkout goes through at it.
  expect((await p.storefront.get(`/v1/carts/${cart.id}?shopperId=${who}`)).body).toMatchObject({ subtotalMinor: 1_300 });
  const paid = await p.storefront.post<OrderView>('/v1/checkouts', body);
  expect(paid.status).toBe(201);
  expect(paid.body.totalMinor).toBe(1_300);
});

it('lists orders for staff newest first with a cursor, and refuses the storefront', async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: { items: OrderView[]; nextCursor: string | null } } = await p.admin.get(`/v1/orders?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    seen.push(...page.body.items.map((o) => o.id));
    cursor = page.body.nextCursor;
  } while (cursor);
  const all = await p.databases.orders.db('orders').orderBy([{ column: 'placed_at', order: 'desc' }, { column: 'id', order: 'desc' }]).pluck('id');
  expect(seen).toEqual(all);
  expect(seen.length).toBeGreaterThanOrEqual(4);
  expect((await p.admin.get('/v1/orders?status=cancelled')).body).toMatchObject({ items: expect.arrayContaining([expect.objectContaining({ status: 'cancelled' })]) });
  expect((await p.storefront.get('/v1/orders')).status).toBe(403);
  expect((await p.admin.get('/v1/orders?cursor=bogus')).status).toBe(400);
});

it('keeps card numbers and CVCs out of the database', async () => {
  const dump = JSON.stringify(await p.databases.orders.db.raw(`select row_to_json(c) as r from checkouts c union all select row_to_json(o) from orders o`));
  for (const card of Object.values(TEST_CARDS)) expect(dump).not.toContain(card);
  expect(dump).not.toContain('"cvc"');
});

it('documents every route, the Idempotency-Key and the test cards in its OpenAPI document', async () => {
  const res = await fetch(`${p.ordersUrl}/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { openapi: string; info: { description: string }; paths: Record<string, Record<string, { parameters: Array<{ name: string }> }>> };
  expect(doc.openapi).toBe('3.1.0');
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
  expect(operations.sort()).toEqual(
    [
      'POST /v1/carts',
      'GET /v1/carts/{id}',
      'PUT /v1/carts/{id}/lines/{sku}',
      'DELETE /v1/carts/{id}/lines/{sku}',
      'POST /v1/checkouts',
      'GET /v1/checkouts/{id}',
      'GET /v1/orders',
      'GET /v1/orders/lookup',
      'GET /v1/orders/{id}',
      'POST /v1/orders/{id}/cancel',
      'POST /v1/orders/{id}/fulfil',
      'POST /v1/orders/{id}/refund',
    ].sort(),
  );
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (method !== 'get') expect([path, operation.parameters.some((x) => x.name === 'Idempotency-Key')]).toEqual([path, true]);
    }
  }
  for (const card of Object.values(TEST_CARDS)) expect(doc.info.description).toContain(card);
  expect((await fetch(`${p.ordersUrl}/docs`)).status).toBe(200);
});
