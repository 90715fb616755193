import { TOPICS } from '@shop/contracts';
import { activityEvent, inventoryEvent, orderEvent, random, uuidOf, type Published } from './support/events';
import { startInProcessJob, waitFor, type InProcessJob } from './support/harness';

const rand = random(7);
const id = (): string => uuidOf(rand);
const PRODUCT = uuidOf(rand);
const SHOPPER = 'shopper-bad-input';

describe('bad input', () => {
  let h: InProcessJob;
  const now = Date.now();
  const at = (offsetMs: number): string => new Date(now + offsetMs).toISOString();

  beforeAll(async () => {
    h = await startInProcessJob({ shards: [0], shardCount: 1, settings: { panePeriodMs: 100, allowedLatenessMs: 60_000, maxOutOfOrdernessMs: 1000, idleTimeoutMs: 600_000 } });
  });

  afterAll(async () => {
    await h.close();
  });

  const publish = (p: Published, patch: Partial<Published['message']> = {}): Promise<void> => h.bus.publish(p.topic, [{ ...p.message, ...patch }]);
  const view = (time: string): Published => activityEvent({ id: id(), kind: 'product_viewed', time, shopperId: SHOPPER, sessionId: 'session-bad-input', productId: PRODUCT }, 1);
  const counters = () => h.status().shards[0]?.counters;

  it('dead-letters what it cannot use, with the reason, and goes on with the good events after it', async () => {
    // Every source has an event, so the watermark reaches now − 1 s.
    await publish(view(at(0)));
    await publish(inventoryEvent({ id: id(), type: 'inventory.stock_received', time: at(0), sku: 'SKU-BAD', warehouseId: 'w1', deltaOnHand: 5, onHand: 5, reserved: 0, reorderPoint: null }, 1));
    await publish(orderEvent({ id: id(), type: 'order.paid', time: at(0), orderId: id(), shopperId: SHOPPER, currency: 'EUR', lines: [{ productId: PRODUCT, categoryId: null, quantity: 1, unitPriceMinor: 500 }] }, 1));
    await waitFor('the watermark', () => (h.status().shards[0]?.watermark ?? '') >= at(-1000));

    const good = view(at(1));
    const wrongType = inventoryEvent({ id: id(), type: 'inventory.stock_adjusted', time: at(0), sku: 'SKU-BAD', warehouseId: 'w1', deltaOnHand: 1, onHand: 6, reserved: 0, reorderPoint: null }, 1);
    const wrongTypeData = JSON.parse(wrongType.message.data.toString()) as { delta: { onHand: unknown } };
    wrongTypeData.delta.onHand = 'one';
    const noTime = { ...good.message.attributes };
    delete noTime['ce-time'];
    const bad: [string, Published, Partial<Published['message']>][] = [
      ['malformed_json', view(at(0)), { data: Buffer.from('{"shopperId": "x",') }],
      ['invalid_data: data.delta.onHand', wrongType, { data: Buffer.from(JSON.stringify(wrongTypeData)) }],
      ['unknown_event_type: activity.product_liked', view(at(0)), { attributes: { ...good.message.attributes, 'ce-id': id(), 'ce-type': 'activity.product_liked' } }],
      ['invalid_attributes: ce-time', view(at(0)), { attributes: noTime }],
      ['future_event_time', view(at(3_600_000)), {}],
      ['invalid_data: data.shopperId', view(at(0)), { data: Buffer.from(JSON.stringify({ shopperId: 42, sessionId: 'session-bad-input', eventTime: at(0), productId: PRODUCT, sku: null })) }],
    ];
    for (const [, p, patch] of bad) await publish(p, patch);
    // An inventory type sent to the orders topic is not an order event.
    const misrouted = inventoryEvent({ id: id(), type: 'inventory.stock_counted', time: at(0), sku: 'SKU-BAD', warehouseId: 'w1', deltaOnHand: 0, onHand: 5, reserved: 0, reorderPoint: null }, 1);
    await h.bus.publish(TOPICS.orders, [misrouted.message]);
    // Ten minutes old while the watermark is at now: beyond the minute's and the session's allowed lateness.
    const tooLate = view(at(-45 * 60_000));
    await publish(tooLate);
    await publish(good);
    await publish(view(at(2)));

    await waitFor('the good events after the bad ones', () => (counters()?.events ?? 0) >= 6 && h.status().shards[0]?.backlog === 0);
    expect(counters()).toMatchObject({ invalid: bad.length + 1, tooLate: 1, duplicates: 0 });

    const letters = await h.warehouse.read('dead_letter', { orderBy: [{ column: 'reason' }] });
    const reasons = letters.map((l) => `${String(l.transform)} ${String(l.reason)}`);
    for (const [reason] of bad) expect(reasons).toEqual(expect.arrayContaining([expect.stringContaining(`parse ${reason}`)]));
    expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/^parse unknown_event_type: inventory.stock_counted is not an event type of order-events/)]));
    const late = letters.filter((l) => String(l.reason).startsWith('later_than_allowed_lateness'));
    expect(late.map((l) => l.transform).sort()).toEqual(['co_views', 'product_activity_minute']);
    expect(late.every((l) => l.event_id === tooLate.event.id && l.event_time === tooLate.event.time)).toBe(true);
    // Dead letters keep the message as it came, to inspect or replay.
    const malformed = letters.find((l) => String(l.reason).startsWith('malformed_json'));
    expect(malformed?.raw_payload).toBe('{"shopperId": "x",');
    expect(JSON.parse(String(malformed?.raw_attributes))).toMatchObject({ 'ce-type': 'activity.product_viewed', shard: '0' });

    // The good events before and after are counted: three views of the product, in two minutes at most.
    const rows = await h.warehouse.read('product_activity_minute', { where: [{ column: 'product_id', op: '=', value: PRODUCT }] });
    const latest = new Map<string, number>();
    for (const r of rows.sort((a, b) => String(a.emitted_at).localeCompare(String(b.emitted_at)))) latest.set(String(r.window_start), Number(r.views));
    expect([...latest.values()].reduce((n, v) => n + v, 0)).toBe(3);
  });
});
