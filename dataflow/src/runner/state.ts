import type { InventoryAccumulator, ProductActivityAccumulator, SalesTotals } from '../transforms';

/** One key of a fixed window: its accumulator and whether a late event changed it. */
export interface KeyState<A> {
  acc: A;
  late: boolean;
}

export interface FixedWindowState<A> {
  startMs: number;
  endMs: number;
  /** The on-time pane has been emitted. */
  onTime: boolean;
  keys: Record<string, KeyState<A>>;
}

/** A shopper session's window so far: [first view, last view + gap), the products it viewed. */
export interface SessionState {
  startMs: number;
  endMs: number;
  products: readonly string[];
  /** Its pairs are in its day's counts (it has ended). */
  counted: boolean;
}

/** One UTC day of co-views: sessions per product pair. */
export interface DayState {
  startMs: number;
  endMs: number;
  onTime: boolean;
  pairs: Record<string, number>;
  /** Pairs a late view changed. */
  latePairs: Record<string, true>;
}

export interface Counters {
  /** Valid events received, duplicates included. */
  events: number;
  /** Distinct events that changed at least one aggregate. */
  admitted: number;
  duplicates: number;
  /** Events behind the watermark but within the allowed lateness. */
  late: number;
  /** Events later than the allowed lateness for at least one of their transforms. */
  tooLate: number;
  /** Messages that failed parsing or validation. */
  invalid: number;
}

/**
 * Everything a shard's runner knows, as plain JSON: checkpointed whole every few cycles, rebuilt
 * in between by replaying each cycle's events through the same functions.
 */
export interface ShardState {
  format: 1;
  shard: number;
  /** The last committed cycle. */
  seq: number;
  watermarkMs: number | null;
  lastEmittedAtMs: number;
  /** Newest event time per source topic (capped at its receipt time). */
  sources: Record<string, number>;
  /** Event ids seen, each kept until the watermark passes the last window it could still change. */
  seen: Record<string, true>;
  /** The same ids by the minute (epoch ms) from which they can be forgotten, so pruning touches only what expires. */
  seenUntil: Record<string, string[]>;
  tables: {
    productActivity: Record<string, FixedWindowState<ProductActivityAccumulator>>;
    inventory: Record<string, FixedWindowState<InventoryAccumulator>>;
    sales: Record<string, FixedWindowState<SalesTotals>>;
  };
  sessions: Record<string, SessionState[]>;
  days: Record<string, DayState>;
  counters: Counters;
}

export function emptyState(shard: number): ShardState {
  return {
    format: 1,
    shard,
    seq: 0,
    watermarkMs: null,
    lastEmittedAtMs: 0,
    sources: {},
    seen: {},
    seenUntil: {},
    tables: { productActivity: {}, inventory: {}, sales: {} },
    sessions: {},
    days: {},
    counters: { events: 0, admitted: 0, duplicates: 0, late: 0, tooLate: 0, invalid: 0 },
  };
}
