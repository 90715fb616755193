import { DAY_MS, coViews, fixedWindowOf, sessionWindowOf, type JobEvent, type RowValues } from '../transforms';
import type { Admission, FiredRow } from './fixed-windows';
import { paneTiming } from './fixed-windows';
import type { DayState, SessionState } from './state';

type PairDelta = Map<string, Map<string, number>>;

const overlaps = (s: SessionState, startMs: number, endMs: number): boolean => s.startMs < endMs && startMs < s.endMs;

/**
 * Co-views on one shard: session windows per shopper session, merged as views arrive; a session
 * that has ended (the watermark passed its last view plus the gap) adds its product pairs to the
 * day it began. Sessions are kept until no admissible view could still merge into them, so a
 * late view re-forms a session exactly as if it had come on time.
 */
export class CoViewSessions {
  private readonly dirty = new Map<string, Set<string>>();
  /** Watermark of the last firing; undefined before the first. */
  private firedAt: number | null | undefined = undefined;

  constructor(
    private readonly sessions: Record<string, SessionState[]>,
    private readonly days: Record<string, DayState>,
    private readonly allowedLatenessMs: () => number,
  ) {}

  get transform(): string {
    return coViews.transform;
  }

  admission(event: JobEvent, watermarkMs: number | null): Admission {
    if (coViews.inputsOf(event).length === 0) return { kind: 'none' };
    const window = sessionWindowOf(event.eventTimeMs, coViews.sessionGapMs);
    const untilMs = window.endMs + this.allowedLatenessMs();
    if (watermarkMs !== null && untilMs <= watermarkMs) return { kind: 'too_late' };
    return { kind: 'admit', late: watermarkMs !== null && watermarkMs >= window.endMs, untilMs };
  }

  add(event: JobEvent, late: boolean, watermarkMs: number | null): void {
    for (const input of coViews.inputsOf(event)) {
      const key = coViews.sessionKeyOf(input);
      const window = sessionWindowOf(event.eventTimeMs, coViews.sessionGapMs);
      const existing = this.sessions[key] ?? [];
      const merging = existing.filter((s) => overlaps(s, window.startMs, window.endMs));
      const kept = existing.filter((s) => !overlaps(s, window.startMs, window.endMs));
      let products = coViews.sessionFn.addInput(coViews.sessionFn.createAccumulator(), input);
      products = coViews.sessionFn.mergeAccumulators([products, ...merging.map((s) => s.products)]);
      const merged: SessionState = {
        startMs: Math.min(window.startMs, ...merging.map((s) => s.startMs)),
        endMs: Math.max(window.endMs, ...merging.map((s) => s.endMs)),
        products: coViews.sessionFn.extractOutput(products),
        counted: false,
      };
      const delta: PairDelta = new Map();
      for (const s of merging) if (s.counted) this.addPairs(delta, s, -1);
      // A session that had ended and still has, with this view, stays counted.
      if (watermarkMs !== null && merged.endMs <= watermarkMs) {
        merged.counted = true;
        this.addPairs(delta, merged, 1);
      }
      this.sessions[key] = [...kept, merged].sort((a, b) => a.startMs - b.startMs);
      this.apply(delta, late);
    }
  }

  /** Counts sessions that ended, forgets those nothing can change, and emits the day panes due. */
  fire(watermarkMs: number | null, emittedAt: string, shard: number): FiredRow[] {
    const lateness = this.allowedLatenessMs();
    // Sessions end and expire only as the watermark moves.
    if (watermarkMs !== this.firedAt) this.advance(watermarkMs, lateness);
    this.firedAt = watermarkMs;
    const rows: FiredRow[] = [];
    let openDays: Set<string> | null = null;
    for (const [id, day] of Object.entries(this.days)) {
      const passed = watermarkMs !== null && watermarkMs >= day.endMs;
      let closing = watermarkMs !== null && watermarkMs >= day.endMs + coViews.sessionGapMs + lateness;
      // No view still admissible can start a session in the day, and none of its sessions remains.
      if (closing) {
        openDays ??= this.daysWithSessions();
        closing = !openDays.has(id);
      }
      const everyPair = closing || (passed && !day.onTime);
      const pairs = everyPair ? Object.keys(day.pairs) : [...(this.dirty.get(id) ?? [])];
      for (const pair of pairs) {
        const sessions = day.pairs[pair] ?? 0;
        const pane = { timing: paneTiming(watermarkMs, day.endMs, day.latePairs[pair] === true), isFinal: closing, emittedAt };
        const values: RowValues = coViews.toRow(pair, day, sessions, pane, shard);
        rows.push({ table: coViews.table.name, values });
      }
      day.onTime ||= passed;
      if (closing) delete this.days[id];
    }
    this.dirty.clear();
    return rows;
  }

  /** Counts the sessions that ended by the watermark and drops those no admissible view can reach. */
  private advance(watermarkMs: number | null, lateness: number): void {
    for (const [key, list] of Object.entries(this.sessions)) {
      const delta: PairDelta = new Map();
      for (const s of list) {
        if (!s.counted && watermarkMs !== null && s.endMs <= watermarkMs) {
          s.counted = true;
          this.addPairs(delta, s, 1);
        }
      }
      this.apply(delta, false);
      const retained = list.filter((s) => watermarkMs === null || s.endMs + coViews.sessionGapMs + lateness > watermarkMs);
      if (retained.length === 0) delete this.sessions[key];
      else this.sessions[key] = retained;
    }
  }

  private daysWithSessions(): Set<string> {
    const days = new Set<string>();
    for (const list of Object.values(this.sessions)) for (const s of list) days.add(String(coViews.dayOf(s).startMs));
    return days;
  }

  private addPairs(delta: PairDelta, session: SessionState, sign: 1 | -1): void {
    const day = String(coViews.dayOf(session).startMs);
    const pairs = delta.get(day) ?? new Map<string, number>();
    delta.set(day, pairs);
    for (const pair of coViews.pairsOf(session.products)) {
      const key = coViews.pairKeyOf(pair);
      pairs.set(key, (pairs.get(key) ?? 0) + sign);
    }
  }

  /** Applies net pair changes; a pair whose count did not change is not re-emitted. */
  private apply(delta: PairDelta, late: boolean): void {
    for (const [dayId, pairs] of delta) {
      if (![...pairs.values()].some((change) => change !== 0)) continue;
      const window = fixedWindowOf(Number(dayId), DAY_MS);
      const day = (this.days[dayId] ??= { startMs: window.startMs, endMs: window.endMs, onTime: false, pairs: {}, latePairs: {} });
      const dirty = this.dirty.get(dayId) ?? new Set<string>();
      this.dirty.set(dayId, dirty);
      for (const [pair, change] of pairs) {
        if (change === 0) continue;
        day.pairs[pair] = (day.pairs[pair] ?? 0) + change;
        if (late) day.latePairs[pair] = true;
        dirty.add(pair);
      }
    }
  }
}
