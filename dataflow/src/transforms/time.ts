/** Event-time windows as half-open intervals of epoch milliseconds, [startMs, endMs). */
export interface Window {
  startMs: number;
  endMs: number;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 24 * 60 * MINUTE_MS;

/** The fixed window of `sizeMs` (aligned to the epoch, so UTC minutes and days) holding `timestampMs`. */
export function fixedWindowOf(timestampMs: number, sizeMs: number): Window {
  const startMs = Math.floor(timestampMs / sizeMs) * sizeMs;
  return { startMs, endMs: startMs + sizeMs };
}

/** A session's first window: one event opens [t, t + gap); overlapping windows of a key merge. */
export function sessionWindowOf(timestampMs: number, gapMs: number): Window {
  return { startMs: timestampMs, endMs: timestampMs + gapMs };
}

/** UTC ISO 8601 with milliseconds, the form every warehouse timestamp takes. */
export const isoOf = (ms: number): string => new Date(ms).toISOString();
