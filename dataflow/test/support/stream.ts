import { TOPICS, activityShard, shardOf, type ActivityKind, type InventoryEventType, type TopicName } from '@shop/contracts';
import type { BusMessage } from '@shop/kit';
import {
  activityEvent,
  catalogEvent,
  inventoryEvent,
  orderEvent,
  random,
  uuidOf,
  type ActivitySpec,
  type InventorySpec,
  type OrderSpec,
  type Published,
} from './events';

const MINUTE = 60_000;

export interface StreamOptions {
  seed: number;
  /** Start of the stream's event time (a whole minute). */
  startMs: number;
  spanMs: number;
  events: number;
  shards: number;
  duplicateShare: number;
  /** Share of events that arrive minutes after their neighbours, within the allowed lateness. */
  lateShare: number;
  /** Events from hours before the stream, beyond any allowed lateness. */
  tooLate: number;
  invalid: number;
}

export interface PlannedMessage {
  topic: TopicName;
  message: BusMessage;
  /** Phase 1 runs until the watermark is inside the stream; too-late and invalid messages come only after. */
  phase: 1 | 2;
}

/** What the job should make of the stream. */
export interface StreamFacts {
  plan: PlannedMessage[];
  /** Every distinct valid event within the allowed lateness. */
  activity: ActivitySpec[];
  inventory: InventorySpec[];
  orders: OrderSpec[];
  /** How many distinct events feed at least one aggregate (the job's `admitted` counter). */
  admitted: number;
  /** Dead letters the job must write: event id, transform, reason code. */
  deadLetters: { eventId: string; transform: string; reason: string }[];
  /** Published messages that are copies of earlier ones. */
  duplicates: number;
}

const INVENTORY_TYPES: [InventoryEventType, number][] = [
  ['inventory.stock_received', 3],
  ['inventory.stock_adjusted', 1],
  ['inventory.stock_counted', 1],
  ['inventory.stock_reserved', 3],
  ['inventory.reservation_committed', 2],
  ['inventory.stock_fulfilled', 2],
  ['inventory.transfer_shipped', 1],
  ['inventory.transfer_received', 1],
  ['inventory.settings_changed', 1],
];

function weighted<T>(rand: () => number, choices: readonly [T, number][]): T {
  const total = choices.reduce((n, [, w]) => n + w, 0);
  let x = rand() * total;
  for (const [value, w] of choices) {
    x -= w;
    if (x < 0) return value;
  }
  return choices[choices.length - 1]![0];
}

/**
 * A reproducible stream over the four topics: shopper sessions (views, cart changes, purchases,
 * searches, checkouts), stock movements with consistent levels, placed and paid orders, catalog
 * updates. Published roughly in event-time order with a few seconds of disorder, some events
 * minutes late, copies of some events, events from hours before the stream and invalid messages.
 */
export function generateStream(o: StreamOptions): StreamFacts {
  const rand = random(o.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const timeIn = (fromMs: number, toMs: number): number => Math.floor(fromMs + rand() * (toMs - fromMs));
  const end = o.startMs + o.spanMs;
  const products = Array.from({ length: 150 }, () => uuidOf(rand));
  const prices = new Map(products.map((p) => [p, 500 + Math.floor(rand() * 20) * 100]));
  const categories = [...Array.from({ length: 8 }, () => uuidOf(rand)), null];
  const categoryOf = new Map(products.map((p) => [p, pick(categories)]));
  const skus = Array.from({ length: 300 }, (_, i) => `SKU-${String(i).padStart(4, '0')}`);
  const warehouses = ['berlin-1', 'paris-1', 'madrid-1'];

  const budget = { activity: Math.round(o.events * 0.7), inventory: Math.round(o.events * 0.19), orders: Math.round(o.events * 0.1) };
  const activity: ActivitySpec[] = [];
  const inventory: InventorySpec[] = [];
  const orders: OrderSpec[] = [];
  const catalog: Published[] = [];

  // Shopper sessions: bursts of activity a few seconds to two minutes apart, some resuming after a break longer than the session gap.
  for (let shopper = 0; activity.length < budget.activity; shopper++) {
    const shopperId = `shopper-${String(shopper).padStart(6, '0')}`;
    const sessionId = `session-${String(shopper).padStart(6, '0')}`;
    const favourites = Array.from({ length: 2 + Math.floor(rand() * 6) }, () => pick(products));
    let t = timeIn(o.startMs, end - 10 * MINUTE);
    const count = 3 + Math.floor(rand() * 14);
    for (let i = 0; i < count && activity.length < budget.activity && t < end; i++) {
      const kind = weighted<ActivityKind>(rand, [['product_viewed', 65], ['cart_item_added', 18], ['cart_item_removed', 4], ['purchase_completed', 8], ['search_performed', 3], ['checkout_started', 2]]);
      const productId = pick(favourites);
      activity.push({
        id: uuidOf(rand),
        kind,
        time: new Date(t).toISOString(),
        shopperId,
        sessionId,
        productId,
        quantity: 1 + Math.floor(rand() * 3),
        priceMinor: prices.get(productId) ?? 1000,
        currency: rand() < 0.03 ? 'USD' : 'EUR',
        orderId: uuidOf(rand),
      });
      t += rand() < 0.04 ? 31 * MINUTE + Math.floor(rand() * 5 * MINUTE) : 1000 + Math.floor(rand() * 120_000);
    }
  }

  // Stock: every SKU at a warehouse moves through levels that follow from its deltas.
  const levels = new Map<string, { onHand: number; reserved: number; reorderPoint: number | null }>();
  const stockTimes = Array.from({ length: budget.inventory }, () => timeIn(o.startMs, end)).sort((a, b) => a - b);
  for (const t of stockTimes) {
    const sku = pick(skus);
    const warehouseId = pick(warehouses);
    const key = `${sku}@${warehouseId}`;
    const level = levels.get(key) ?? { onHand: 20, reserved: 0, reorderPoint: rand() < 0.5 ? 10 : null };
    const type = weighted(rand, INVENTORY_TYPES);
    const q = 1 + Math.floor(rand() * 5);
    let delta = 0;
    if (type === 'inventory.stock_received' || type === 'inventory.transfer_received') delta = q * 3;
    else if (type === 'inventory.stock_adjusted') delta = rand() < 0.5 ? -1 : 2;
    else if (type === 'inventory.stock_counted') delta = Math.max(-level.onHand, Math.floor(rand() * 5) - 2);
    else if (type === 'inventory.stock_reserved') level.reserved = Math.min(level.onHand, level.reserved + q);
    else if (type === 'inventory.reservation_committed') level.reserved = Math.max(0, level.reserved - 1);
    else if (type === 'inventory.stock_fulfilled' || type === 'inventory.transfer_shipped') delta = -Math.min(q, level.onHand - level.reserved);
    else if (type === 'inventory.settings_changed') level.reorderPoint = level.reorderPoint === null ? 12 : null;
    level.onHand += delta;
    levels.set(key, level);
    inventory.push({ id: uuidOf(rand), type, time: new Date(t).toISOString(), sku, warehouseId, deltaOnHand: delta, onHand: level.onHand, reserved: level.reserved, reorderPoint: level.reorderPoint });
  }

  // Orders: placed, then paid a little later.
  while (orders.length < budget.orders) {
    const placed = timeIn(o.startMs, end - 2 * MINUTE);
    const orderId = uuidOf(rand);
    const shopperId = `buyer-${String(Math.floor(rand() * 5000)).padStart(5, '0')}`;
    const currency = weighted(rand, [['EUR', 8], ['USD', 2], ['GBP', 1]]);
    const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
      const productId = pick(products);
      return { productId, categoryId: categoryOf.get(productId) ?? null, quantity: 1 + Math.floor(rand() * 3), unitPriceMinor: prices.get(productId) ?? 1000 };
    });
    orders.push({ id: uuidOf(rand), type: 'order.placed', time: new Date(placed).toISOString(), orderId, shopperId, currency, lines });
    orders.push({ id: uuidOf(rand), type: 'order.paid', time: new Date(placed + 5000 + Math.floor(rand() * 60_000)).toISOString(), orderId, shopperId, currency, lines });
  }
  while (activity.length + inventory.length + orders.length + catalog.length < o.events) {
    catalog.push(catalogEvent(uuidOf(rand), pick(products), new Date(timeIn(o.startMs, end)).toISOString(), o.shards));
  }

  type Item = { sortKey: number; published: Published; eligible: boolean };
  const items: Item[] = [
    ...activity.map((s) => ({ spec: s.time, published: activityEvent(s, o.shards) })),
    ...inventory.map((s) => ({ spec: s.time, published: inventoryEvent(s, o.shards) })),
    ...orders.map((s) => ({ spec: s.time, published: orderEvent(s, o.shards) })),
    ...catalog.map((p) => ({ spec: p.event.time, published: p })),
  ].map(({ spec, published }) => {
    const t = Date.parse(spec);
    const late = rand() < o.lateShare;
    return { sortKey: late ? t + 5 * MINUTE + Math.floor(rand() * 15 * MINUTE) : t + Math.floor(rand() * 3000), published, eligible: true };
  });
  const copies: Item[] = items.filter(() => rand() < o.duplicateShare).map((i) => ({ sortKey: i.sortKey + Math.floor(rand() * 10_000), published: i.published, eligible: true }));

  // Hours before the stream: past every window's allowed lateness once the watermark is inside the stream.
  const phase2From = o.startMs + 0.15 * o.spanMs;
  const deadLetters: StreamFacts['deadLetters'] = [];
  const extra: Item[] = [];
  for (let i = 0; i < o.tooLate; i++) {
    const time = new Date(timeIn(o.startMs - 6 * 60 * MINUTE, o.startMs - 5 * 60 * MINUTE)).toISOString();
    const at = timeIn(phase2From, end);
    const which = i % 4;
    let published: Published;
    if (which === 0 || which === 1) {
      const kind: ActivityKind = which === 0 ? 'product_viewed' : 'cart_item_added';
      published = activityEvent({ id: uuidOf(rand), kind, time, shopperId: `late-shopper-${i}`, sessionId: `late-session-${i}`, productId: pick(products) }, o.shards);
      deadLetters.push({ eventId: published.event.id, transform: 'product_activity_minute', reason: 'later_than_allowed_lateness' });
      if (kind === 'product_viewed') deadLetters.push({ eventId: published.event.id, transform: 'co_views', reason: 'later_than_allowed_lateness' });
    } else if (which === 2) {
      published = inventoryEvent({ id: uuidOf(rand), type: 'inventory.stock_adjusted', time, sku: pick(skus), warehouseId: pick(warehouses), deltaOnHand: 1, onHand: 1, reserved: 0, reorderPoint: null }, o.shards);
      deadLetters.push({ eventId: published.event.id, transform: 'inventory_minute', reason: 'later_than_allowed_lateness' });
    } else {
      const orderId = uuidOf(rand);
      published = orderEvent({ id: uuidOf(rand), type: 'order.paid', time, orderId, shopperId: 'late-buyer', currency: 'EUR', lines: [{ productId: pick(products), categoryId: null, quantity: 1, unitPriceMinor: 100 }] }, o.shards);
      deadLetters.push({ eventId: published.event.id, transform: 'sales_minute', reason: 'later_than_allowed_lateness' });
    }
    extra.push({ sortKey: at, published, eligible: false });
  }
  for (let i = 0; i < o.invalid; i++) {
    const view = activityEvent({ id: uuidOf(rand), kind: 'product_viewed', time: new Date(timeIn(o.startMs, end)).toISOString(), shopperId: `broken-${i}`, sessionId: `broken-${i}`, productId: pick(products) }, o.shards);
    const kind = i % 3;
    const message: BusMessage =
      kind === 0
        ? { ...view.message, data: Buffer.from('{"shopperId": ') }
        : kind === 1
          ? { ...view.message, attributes: { ...view.message.attributes, 'ce-type': 'activity.product_admired' } }
          : { ...view.message, data: Buffer.from(JSON.stringify({ ...view.event.data, productId: 12 })) };
    deadLetters.push({ eventId: view.event.id, transform: 'parse', reason: ['malformed_json', 'unknown_event_type', 'invalid_data'][kind]! });
    extra.push({ sortKey: timeIn(phase2From, end), published: { ...view, message }, eligible: false });
  }

  // Last on every topic of every shard: events well after the stream, so each shard's watermark passes every session's end and every session counts.
  const after = new Date(end + 90 * MINUTE).toISOString();
  const closers: Item[] = [];
  for (let shard = 0; shard < o.shards; shard++) {
    const keyOn = (make: (n: number) => string, shardOfKey: (key: string) => number): string => {
      for (let n = 0; ; n++) {
        const key = make(n);
        if (shardOfKey(key) === shard) return key;
      }
    };
    const shopperId = keyOn((n) => `closing-shopper-${n}`, (k) => activityShard(k, o.shards));
    const sku = keyOn((n) => skus[n % skus.length]!, (k) => shardOf(k, o.shards));
    const orderId = keyOn(() => uuidOf(rand), (k) => shardOf(k, o.shards));
    const view: ActivitySpec = { id: uuidOf(rand), kind: 'product_viewed', time: after, shopperId, sessionId: `${shopperId}-session`, productId: pick(products) };
    const stock: InventorySpec = { id: uuidOf(rand), type: 'inventory.stock_counted', time: after, sku, warehouseId: 'berlin-1', deltaOnHand: 0, onHand: 7, reserved: 0, reorderPoint: null };
    const paid: OrderSpec = { id: uuidOf(rand), type: 'order.paid', time: after, orderId, shopperId: 'closing-buyer', currency: 'EUR', lines: [{ productId: pick(products), categoryId: null, quantity: 1, unitPriceMinor: 100 }] };
    activity.push(view);
    inventory.push(stock);
    orders.push(paid);
    for (const p of [activityEvent(view, o.shards), inventoryEvent(stock, o.shards), orderEvent(paid, o.shards)]) closers.push({ sortKey: Number.MAX_SAFE_INTEGER, published: p, eligible: true });
  }

  const ordered = [...items, ...copies, ...extra].sort((a, b) => a.sortKey - b.sortKey);
  ordered.push(...closers);
  const plan: PlannedMessage[] = ordered.map((i) => ({ topic: i.published.topic, message: i.published.message, phase: i.sortKey < phase2From && i.eligible ? 1 : 2 }));
  const feeds = (s: ActivitySpec): boolean => ['product_viewed', 'cart_item_added', 'cart_item_removed', 'purchase_completed'].includes(s.kind);
  return {
    plan,
    activity,
    inventory,
    orders,
    admitted: activity.filter(feeds).length + inventory.length + orders.filter((s) => s.type === 'order.paid').length,
    deadLetters,
    duplicates: copies.length,
  };
}

export const STREAM_TOPICS = Object.values(TOPICS);
