import type { CartView, OrderView } from '@shop/contracts';
import { findDrift } from '@shop/inventory';
import { checkoutBody, shopper, startPlatform, type Platform, type Reply } from './support';

const UNITS = 20;
const SHOPPERS = 500;
let p: Platform;
let carts: CartView[];

/** Runs `work` over `items` with at most `width` at a time. */
async function inBatches<T, R>(items: T[], width: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += width) results.push(...(await Promise.all(items.slice(i, i + width).map((item, j) => work(item, i + j)))));
  return results;
}

beforeAll(async () => {
  p = await startPlatform({ name: 'flash_sale', settings: { waitMs: 60_000 } });
  await p.product({ slug: 'limited-sneaker', variants: [{ sku: 'SNEAKER-LTD', priceMinor: 19_900, stock: UNITS }] });
  // Every shopper put one pair in a cart while stock lasted on the product page.
  carts = await inBatches(Array.from({ length: SHOPPERS }, (_, i) => shopper(`flash-${i}`)), 25, (who) => p.cart(who, [{ sku: 'SNEAKER-LTD', quantity: 1 }]));
}, 120_000);

afterAll(async () => {
  await p.close();
});

it(`sells exactly ${UNITS} units to ${SHOPPERS} shoppers checking out at once; the rest get a clear sold-out problem`, async () => {
  const replies = await Promise.all(carts.map((cart) => p.storefront.post<OrderView & { type?: string; shortages?: unknown }>('/v1/checkouts', checkoutBody(cart))));

  const paid = replies.filter((r) => r.status === 201);
  const refused = replies.filter((r) => r.status === 409);
  expect({ paid: paid.length, refused: refused.length, other: replies.filter((r) => r.status !== 201 && r.status !== 409).map((r: Reply) => [r.status, r.body]) }).toEqual({ paid: UNITS, refused: SHOPPERS - UNITS, other: [] });
  for (const r of paid) expect(r.body).toMatchObject({ status: 'paid', totalMinor: 19_900, payment: { state: 'captured' } });
  for (const r of refused) {
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ type: expect.stringContaining('sold-out'), title: 'Sold out', shortages: [{ sku: 'SNEAKER-LTD', requested: 1, available: expect.any(Number) }] });
  }

  const orders = p.databases.orders.db;
  expect(await orders('orders').where({ status: 'paid' }).pluck('id')).toHaveLength(UNITS);
  expect(await orders('orders').whereNot({ status: 'paid' }).pluck('id')).toEqual([]);
  expect(await orders('checkouts').whereNot({ step: 'done' }).pluck('id')).toEqual([]);

  const inventory = p.databases.inventory.db;
  const [level] = await inventory('stock_levels').where({ sku: 'SNEAKER-LTD' }).select('on_hand', 'reserved', 'committed');
  expect(level).toEqual({ on_hand: UNITS, reserved: 0, committed: UNITS });
  expect(await findDrift(inventory)).toEqual([]);
  await p.inventory.reservations.expireDue();
  expect(await inventory('reservations').where({ status: 'active' }).pluck('id')).toEqual([]);
  expect(await inventory('reservations').where({ status: 'committed' }).pluck('reference')).toHaveLength(UNITS);
  const negative = await inventory('stock_levels').where('on_hand', '<', 0).orWhere('reserved', '<', 0).orWhere('committed', '<', 0).pluck('sku');
  expect(negative).toEqual([]);
}, 120_000);
