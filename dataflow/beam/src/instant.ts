import { GlobalWindow, type Instant, type IntervalWindow } from 'apache-beam';
import type { Window } from '@shop/dataflow';

/**
 * Beam's Instant of epoch milliseconds. Beam exports no Instant factory and its Long class comes
 * from its own copy of `long`, so the Instant is derived from one of Beam's own.
 */
export function instantOf(epochMs: number): Instant {
  const reference = new GlobalWindow().maxTimestamp();
  return reference.subtract(reference).add(epochMs);
}

/** The shared transforms' window of one of Beam's interval windows. */
export const windowOf = (window: IntervalWindow): Window => ({ startMs: window.start.toNumber(), endMs: window.end.toNumber() });
