import { TOPICS, WAREHOUSE_TABLES } from '@shop/contracts';
import { countFn, sortedUnion, withSorted, type CombineFn } from './combine';
import type { JobEvent, Pane, RowValues } from './message';
import { compositeKey, keyPair, windowColumns } from './table';
import { DAY_MS, MINUTE_MS, fixedWindowOf, type Window } from './time';

/** A shopper session ends after this long without a product view. */
export const CO_VIEW_SESSION_GAP_MS = 30 * MINUTE_MS;
/** Sessions viewing more distinct products than this look like crawlers and yield no pairs. */
export const MAX_SESSION_PRODUCTS = 50;

/** One product view of one shopper session. */
export interface CoViewInput {
  sessionKey: string;
  productId: string;
}

function inputsOf(event: JobEvent): CoViewInput[] {
  if (event.topic !== TOPICS.activity || event.kind !== 'product_viewed' || event.productId === null) return [];
  return [{ sessionKey: compositeKey(event.shopperId, event.sessionId), productId: event.productId }];
}

/** The sorted distinct products a session viewed. */
export const sessionProductsFn: CombineFn<CoViewInput, readonly string[], readonly string[]> = {
  createAccumulator: () => [],
  addInput: (products, input) => withSorted(products, input.productId),
  mergeAccumulators: (accumulators) => sortedUnion(accumulators),
  extractOutput: (products) => products,
};

/** Every ordered pair of distinct products of one session (both directions, so each product lists the other). */
export function coViewPairs(products: readonly string[]): [string, string][] {
  if (products.length > MAX_SESSION_PRODUCTS) return [];
  const pairs: [string, string][] = [];
  for (const a of products) for (const b of products) if (a !== b) pairs.push([a, b]);
  return pairs;
}

/**
 * Co-views in the Beam model: views are grouped per shopper session in session windows (gap 30
 * minutes) and combined into the session's products; each finished session yields its product
 * pairs, counted per UTC day of the session's start and per pair.
 */
export const coViews = {
  table: WAREHOUSE_TABLES.coViews,
  transform: WAREHOUSE_TABLES.coViews.name,
  topic: TOPICS.activity,
  sessionGapMs: CO_VIEW_SESSION_GAP_MS,
  inputsOf,
  sessionKeyOf: (input: CoViewInput): string => input.sessionKey,
  sessionFn: sessionProductsFn,
  pairsOf: coViewPairs,
  /** The day window a session counts in: the UTC day it began. */
  dayOf: (session: Window): Window => fixedWindowOf(session.startMs, DAY_MS),
  pairKeyOf: (pair: readonly [string, string]): string => compositeKey(pair[0], pair[1]),
  /** Sessions per pair and day. */
  countFn,
  toRow: (pairKey: string, day: Window, sessions: number, pane: Pane, shard: number): RowValues => {
    const [productId, coProductId] = keyPair(pairKey);
    return { ...windowColumns(day, pane), product_id: productId, co_product_id: coProductId, shard, sessions };
  },
} as const;
