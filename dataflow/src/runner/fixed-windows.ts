import { fixedWindowOf, type FixedWindowTable, type JobEvent, type PaneTiming, type RowValues } from '../transforms';
import type { FixedWindowState } from './state';

/** What a transform would do with an event, decided before anything changes. */
export type Admission = { kind: 'none' } | { kind: 'too_late' } | { kind: 'admit'; late: boolean; untilMs: number };

export interface FiredRow {
  table: string;
  values: RowValues;
}

/** Timing of a row: early until the watermark passes the window, then on time unless a late event changed it. */
export function paneTiming(watermarkMs: number | null, endMs: number, late: boolean): PaneTiming {
  if (watermarkMs === null || watermarkMs < endMs) return 'EARLY';
  return late ? 'LATE' : 'ON_TIME';
}

/**
 * One fixed-window table on one shard: accumulators per window and key in the shard state, and
 * the keys changed since the last firing (not state: every firing clears them).
 */
export class FixedWindowAggregate<I, A, O> {
  private readonly dirty = new Map<string, Set<string>>();

  constructor(
    private readonly def: FixedWindowTable<I, A, O>,
    private readonly windows: Record<string, FixedWindowState<A>>,
    private readonly allowedLatenessMs: () => number,
  ) {}

  get transform(): string {
    return this.def.transform;
  }

  admission(event: JobEvent, watermarkMs: number | null): Admission {
    if (this.def.inputsOf(event).length === 0) return { kind: 'none' };
    const window = fixedWindowOf(event.eventTimeMs, this.def.windowMs);
    const untilMs = window.endMs + this.allowedLatenessMs();
    if (watermarkMs !== null && untilMs <= watermarkMs) return { kind: 'too_late' };
    return { kind: 'admit', late: watermarkMs !== null && watermarkMs >= window.endMs, untilMs };
  }

  add(event: JobEvent, late: boolean): void {
    const window = fixedWindowOf(event.eventTimeMs, this.def.windowMs);
    const id = String(window.startMs);
    const state = (this.windows[id] ??= { startMs: window.startMs, endMs: window.endMs, onTime: false, keys: {} });
    const dirty = this.dirty.get(id) ?? new Set<string>();
    this.dirty.set(id, dirty);
    for (const input of this.def.inputsOf(event)) {
      const key = this.def.keyOf(input);
      const entry = (state.keys[key] ??= { acc: this.def.combineFn.createAccumulator(), late: false });
      entry.acc = this.def.combineFn.addInput(entry.acc, input);
      entry.late ||= late;
      dirty.add(key);
    }
  }

  /**
   * The panes due at this watermark: every key when the watermark first passes a window (on
   * time) and when it passes the window's end plus the allowed lateness (final, and the window
   * is dropped), otherwise the keys changed since the last firing.
   */
  fire(watermarkMs: number | null, emittedAt: string, shard: number): FiredRow[] {
    const rows: FiredRow[] = [];
    for (const [id, window] of Object.entries(this.windows)) {
      const passed = watermarkMs !== null && watermarkMs >= window.endMs;
      const closing = watermarkMs !== null && watermarkMs >= window.endMs + this.allowedLatenessMs();
      const everyKey = closing || (passed && !window.onTime);
      const keys = everyKey ? Object.keys(window.keys) : [...(this.dirty.get(id) ?? [])];
      for (const key of keys) {
        const entry = window.keys[key];
        if (!entry) continue;
        const pane = { timing: paneTiming(watermarkMs, window.endMs, entry.late), isFinal: closing, emittedAt };
        rows.push({ table: this.def.table.name, values: this.def.toRow(key, window, this.def.combineFn.extractOutput(entry.acc), pane, shard) });
      }
      window.onTime ||= passed;
      if (closing) delete this.windows[id];
    }
    this.dirty.clear();
    return rows;
  }
}
