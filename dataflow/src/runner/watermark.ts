export interface SourceClock {
  /** Newest event time seen on the source (capped at its receipt), or null before any. */
  maxEventTimeMs: number | null;
  /** Wall-clock time of its last event, or of the runner's start before any. */
  lastEventAtMs: number;
}

export interface WatermarkRules {
  maxOutOfOrdernessMs: number;
  idleTimeoutMs: number;
}

/**
 * The job's watermark: the minimum over its sources of the newest event time minus the bounded
 * out-of-orderness. An idle source (no event for the idle timeout) does not hold it back; when
 * every source is idle it follows the clock, so the last windows close when traffic stops. A
 * source that has seen nothing and is not idle holds it where it is. It never moves backwards.
 */
export function jobWatermark(sources: readonly SourceClock[], previousMs: number | null, nowMs: number, rules: WatermarkRules): number | null {
  const active = sources.filter((s) => nowMs - s.lastEventAtMs < rules.idleTimeoutMs);
  let candidate: number | null;
  if (active.length === 0) candidate = nowMs - rules.idleTimeoutMs - rules.maxOutOfOrdernessMs;
  else if (active.some((s) => s.maxEventTimeMs === null)) candidate = null;
  else candidate = Math.min(...active.map((s) => (s.maxEventTimeMs ?? 0) - rules.maxOutOfOrdernessMs));
  if (candidate === null) return previousMs;
  return previousMs === null ? candidate : Math.max(previousMs, candidate);
}
