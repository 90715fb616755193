import fc from 'fast-check';
import { WAREHOUSE_TABLES, type TableSpec } from '@shop/contracts';
import { checkedValues } from '@shop/kit';
import {
  PARSE_TRANSFORM,
  coViewPairs,
  coViews,
  countFn,
  deadLetterRow,
  fixedWindowOf,
  inventory,
  MAX_SESSION_PRODUCTS,
  parseMessage,
  productActivity,
  sales,
  sessionProductsFn,
  type CombineFn,
  type RawMessage,
  type RowValues,
} from '@shop/dataflow';
import { activityEvent, catalogEvent, inventoryEvent, orderEvent, type Published } from './support/events';

const NOW = '2025-03-10T10:30:00.000Z';
const raw = (p: Published, patch: Partial<RawMessage> = {}): RawMessage => ({ topic: p.topic, messageId: 'm-1', data: p.message.data.toString(), attributes: p.message.attributes, receivedAt: NOW, ...patch });
const ID = '6f1c2b9e-1234-4abc-8def-0123456789ab';
const PRODUCT = '0b7e6a52-5b8f-4f7e-9a1e-3c2d1e0f9a8b';
const view = activityEvent({ id: ID, kind: 'product_viewed', time: '2025-03-10T10:29:59.000Z', shopperId: 'shopper-0001', sessionId: 'session-0001', productId: PRODUCT }, 4);

describe('parseMessage', () => {
  const options = { maxFutureMs: 10 * 60_000 };

  it('turns a valid event of every topic into a slim event carrying its time', () => {
    const cases: Published[] = [
      view,
      activityEvent({ id: ID, kind: 'purchase_completed', time: NOW, shopperId: 'shopper-0001', sessionId: 'session-0001', productId: PRODUCT, quantity: 2, priceMinor: 1250, currency: 'USD' }, 4),
      inventoryEvent({ id: ID, type: 'inventory.stock_received', time: NOW, sku: 'SKU-1', warehouseId: 'w1', deltaOnHand: 5, onHand: 9, reserved: 2, reorderPoint: 3 }, 4),
      orderEvent({ id: ID, type: 'order.paid', time: NOW, orderId: PRODUCT, shopperId: 'shopper-0001', currency: 'EUR', lines: [{ productId: PRODUCT, categoryId: null, quantity: 2, unitPriceMinor: 300 }] }, 4),
      catalogEvent(ID, PRODUCT, NOW, 4),
    ];
    const parsed = cases.map((p) => parseMessage(raw(p), options));
    expect(parsed.map((p) => p.ok)).toEqual([true, true, true, true, true]);
    const events = parsed.flatMap((p) => (p.ok ? [p.event] : []));
    expect(events[0]).toMatchObject({ topic: 'activity-events', kind: 'product_viewed', eventId: ID, eventTime: '2025-03-10T10:29:59.000Z', productId: PRODUCT, shopperId: 'shopper-0001' });
    expect(events[1]).toMatchObject({ kind: 'purchase_completed', quantity: 2, priceMinor: 1250, currency: 'USD' });
    expect(events[2]).toMatchObject({ sku: 'SKU-1', warehouseId: 'w1', deltaOnHand: 5, onHand: 9, reserved: 2, available: 7, reorderPoint: 3 });
    expect(events[3]).toMatchObject({ type: 'order.paid', currency: 'EUR', lines: [{ categoryId: null, quantity: 2, lineTotalMinor: 600 }] });
    // JobEvents are plain JSON: they travel in checkpoints.
    expect(JSON.parse(JSON.stringify(events))).toEqual(events);
  });

  it('names what is wrong with a message it cannot use, keeping the message as it came', () => {
    const withoutId = { ...view.message.attributes };
    delete withoutId['ce-id'];
    const reasons: [Partial<RawMessage>, RegExp][] = [
      [{ data: 'not json' }, /^malformed_json: /],
      [{ data: JSON.stringify({ ...view.event.data, shopperId: 'x' }) }, /^invalid_data: data\.shopperId: /],
      [{ data: JSON.stringify({ ...view.event.data, productId: 7 }) }, /^invalid_data: data\.productId: /],
      [{ attributes: { ...view.message.attributes, 'ce-type': 'activity.product_liked' } }, /^unknown_event_type: activity\.product_liked is not an event type of activity-events$/],
      [{ attributes: { ...view.message.attributes, 'ce-type': 'order.paid' } }, /^unknown_event_type: order\.paid/],
      [{ attributes: withoutId }, /^invalid_attributes: ce-id: /],
      [{ attributes: { ...view.message.attributes, 'ce-time': 'yesterday' } }, /^invalid_attributes: ce-time: /],
      [{ attributes: { ...view.message.attributes, 'ce-time': '2025-03-10T11:00:00Z' } }, /^future_event_time: /],
      [{ topic: 'other-events' }, /^unknown_topic: other-events$/],
    ];
    for (const [patch, reason] of reasons) {
      const result = parseMessage(raw(view, patch), options);
      if (result.ok) throw new Error(`accepted ${JSON.stringify(patch)}`);
      expect(result.deadLetter.reason).toMatch(reason);
      expect(result.deadLetter).toMatchObject({ transform: PARSE_TRANSFORM, messageId: 'm-1', rawPayload: patch.data ?? view.message.data.toString(), receivedAt: NOW });
    }
    const row = deadLetterRow((parseMessage(raw(view, { data: '{' }), options) as { deadLetter: Parameters<typeof deadLetterRow>[0] }).deadLetter);
    expect(() => checkedValues(WAREHOUSE_TABLES.deadLetter, { insertId: 'x', values: row })).not.toThrow();
    expect(JSON.parse(String(row.raw_attributes))).toEqual(view.message.attributes);
  });

  it('never throws, whatever the bytes and attributes', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.constantFrom('ce-id', 'ce-type', 'ce-time', 'ce-source', 'ce-subject', 'ce-specversion', 'shard'), fc.string()), fc.constantFrom('activity-events', 'inventory-events', 'order-events', 'catalog-events'), (data, attributes, topic) => {
        const result = parseMessage({ topic, messageId: '1', data, attributes: { ...view.message.attributes, ...attributes }, receivedAt: NOW }, options);
        return result.ok || result.deadLetter.reason.length > 0;
      }),
    );
  });
});

/** Combining any split of the inputs, merged in any order, gives what adding them one by one gives. */
function combinesInAnyOrder<I, A, O>(fn: CombineFn<I, A, O>, input: fc.Arbitrary<I>, minLength = 0): void {
  fc.assert(
    fc.property(fc.array(input, { minLength, maxLength: 40 }), fc.array(fc.nat(), { maxLength: 40 }), fc.nat(), (inputs, cuts, seed) => {
      const sequential = fn.extractOutput(inputs.reduce((acc, i) => fn.addInput(acc, i), fn.createAccumulator()));
      const parts: I[][] = [[]];
      inputs.forEach((i, n) => {
        if ((cuts[n] ?? 0) % 3 === 0) parts.push([]);
        parts[parts.length - 1]!.push(i);
      });
      const accumulators = parts.filter((p) => p.length >= minLength).map((p) => {
        const acc = p.reduceRight((a, i) => fn.addInput(a, i), fn.createAccumulator());
        // Plain JSON, and unchanged by a round trip: it can live in a checkpoint or a Beam coder.
        expect(JSON.parse(JSON.stringify(acc))).toEqual(acc);
        return Object.freeze(acc);
      });
      const shuffled = [...accumulators].sort((a, b) => ((JSON.stringify(a).length * 31 + seed) % 7) - ((JSON.stringify(b).length * 31 + seed) % 7));
      expect(fn.extractOutput(fn.mergeAccumulators(shuffled))).toEqual(fn.extractOutput(fn.mergeAccumulators(accumulators)));
      expect(fn.extractOutput(fn.mergeAccumulators(accumulators))).toEqual(sequential);
    }),
  );
}

describe('combine functions', () => {
  const shopper = fc.constantFrom('shopper-a1', 'shopper-b2', 'shopper-c3', 'shopper-d4');
  it('product activity: counts, revenue per currency and exact distinct shoppers', () => {
    combinesInAnyOrder(
      productActivity.combineFn,
      fc.record({
        productId: fc.constant(PRODUCT),
        shopperId: shopper,
        views: fc.nat(1),
        addToCarts: fc.nat(1),
        purchases: fc.nat(1),
        units: fc.nat(3),
        revenueMinor: fc.nat(5000),
        currency: fc.constantFrom(null, 'EUR', 'USD'),
      }),
    );
    const fn = productActivity.combineFn;
    const acc = [
      { productId: PRODUCT, shopperId: 'shopper-a1', views: 0, addToCarts: 0, purchases: 1, units: 1, revenueMinor: 500, currency: 'EUR' },
      { productId: PRODUCT, shopperId: 'shopper-a1', views: 1, addToCarts: 0, purchases: 0, units: 0, revenueMinor: 0, currency: null },
    ].reduce((a, i) => fn.addInput(a, i), fn.createAccumulator());
    expect(fn.extractOutput(acc)).toMatchObject({ revenueMinor: 500, currency: 'EUR', uniqueShoppers: 1 });
    const mixed = fn.addInput(acc, { productId: PRODUCT, shopperId: 'shopper-b2', views: 0, addToCarts: 0, purchases: 1, units: 1, revenueMinor: 700, currency: 'USD' });
    expect(fn.extractOutput(mixed)).toMatchObject({ purchases: 2, revenueMinor: null, currency: null, uniqueShoppers: 2 });
  });

  it('inventory: the latest level by event time, then event id, and summed movements', () => {
    combinesInAnyOrder(
      inventory.combineFn,
      fc.record({
        sku: fc.constant('SKU-1'),
        warehouseId: fc.constant('w1'),
        level: fc.record({ eventTimeMs: fc.integer({ min: 0, max: 5 }), eventId: fc.constantFrom('a', 'b', 'c'), onHand: fc.integer({ min: -5, max: 50 }), reserved: fc.nat(5), available: fc.integer({ min: -5, max: 50 }), reorderPoint: fc.constantFrom(null, 3) }),
        received: fc.nat(9),
        shipped: fc.nat(9),
        adjusted: fc.integer({ min: -3, max: 3 }),
      }),
      // A window holds a key only once an event came for it.
      1,
    );
  });

  it('sales, session products and counts', () => {
    combinesInAnyOrder(sales.combineFn, fc.record({ currency: fc.constant('EUR'), categoryId: fc.constant('c'), orders: fc.constant(1), units: fc.nat(5), revenueMinor: fc.nat(9000) }));
    combinesInAnyOrder(sessionProductsFn, fc.record({ sessionKey: fc.constant('k'), productId: fc.constantFrom('p1', 'p2', 'p3', 'p4') }));
    combinesInAnyOrder(countFn, fc.constant(null));
  });

  it('pairs every two distinct products of a session both ways, none for a crawler-sized session', () => {
    expect(coViewPairs(['a', 'b', 'c'])).toEqual([['a', 'b'], ['a', 'c'], ['b', 'a'], ['b', 'c'], ['c', 'a'], ['c', 'b']]);
    expect(coViewPairs(Array.from({ length: MAX_SESSION_PRODUCTS + 1 }, (_, i) => `p${i}`))).toEqual([]);
    expect(coViews.dayOf({ startMs: Date.parse('2025-03-10T23:59:00Z'), endMs: Date.parse('2025-03-11T00:40:00Z') })).toEqual(fixedWindowOf(Date.parse('2025-03-10T12:00:00Z'), 86_400_000));
  });
});

describe('row builders', () => {
  const window = fixedWindowOf(Date.parse(NOW), 60_000);
  const pane = { timing: 'EARLY' as const, isFinal: false, emittedAt: NOW };
  const fits = (table: TableSpec, row: RowValues): void => {
    expect(Object.keys(row).sort()).toEqual(table.columns.map((c) => c.name).sort());
    expect(() => checkedValues(table, { insertId: 'x', values: row })).not.toThrow();
  };

  it('build rows that satisfy their contract tables, every column present', () => {
    const activity = productActivity.combineFn;
    fits(WAREHOUSE_TABLES.productActivityMinute, productActivity.toRow(PRODUCT, window, activity.extractOutput(activity.createAccumulator()), pane, 3));
    const level = { eventTimeMs: 1, eventId: 'e', onHand: 4, reserved: 1, available: 3, reorderPoint: 3 };
    const stock = inventory.combineFn.addInput(inventory.combineFn.createAccumulator(), { sku: 'SKU-1', warehouseId: 'w1', level, received: 1, shipped: 0, adjusted: 0 });
    const stockRow = inventory.toRow(inventory.keyOf({ sku: 'SKU-1', warehouseId: 'w1', level, received: 0, shipped: 0, adjusted: 0 }), window, inventory.combineFn.extractOutput(stock), pane, 1);
    fits(WAREHOUSE_TABLES.inventoryMinute, stockRow);
    expect(stockRow).toMatchObject({ sku: 'SKU-1', warehouse_id: 'w1', low_stock: true });
    fits(WAREHOUSE_TABLES.salesMinute, sales.toRow(sales.keyOf({ currency: 'EUR', categoryId: 'uncategorized', orders: 1, units: 1, revenueMinor: 1 }), window, { orders: 1, units: 2, revenueMinor: 300 }, pane, 0));
    fits(WAREHOUSE_TABLES.coViews, coViews.toRow(coViews.pairKeyOf(['a', 'b']), coViews.dayOf(window), 4, pane, 2));
  });
});
