import { MINUTE_MS, coViews, deadLetterOf, inventory, productActivity, REJECTIONS, sales, type DeadLetter, type JobEvent, type RawMessage } from '../transforms';
import { CoViewSessions } from './co-view-sessions';
import { FixedWindowAggregate, type Admission, type FiredRow } from './fixed-windows';
import type { ShardState } from './state';

/** What applying one event did. */
export interface Applied {
  duplicate: boolean;
  late: boolean;
  /** One per transform the event came too late for (only when the raw message is at hand). */
  deadLetters: DeadLetter[];
}

interface Transform {
  transform: string;
  admission(event: JobEvent, watermarkMs: number | null): Admission;
  add(event: JobEvent, late: boolean, watermarkMs: number | null): void;
  fire(watermarkMs: number | null, emittedAt: string, shard: number): FiredRow[];
}

/**
 * A shard's windowed state machine. Events are applied under the watermark of the last firing;
 * firing at a new watermark emits the panes due, forgets what can no longer change and prunes
 * seen event ids. Given the same events, watermarks and emission times it reaches the same state,
 * which is what lets a checkpoint be a snapshot plus the events of the cycles after it.
 */
export class ShardPipeline {
  private readonly transforms: Transform[];
  private lateness: number;

  constructor(
    readonly state: ShardState,
    allowedLatenessMs: number,
  ) {
    this.lateness = allowedLatenessMs;
    const lateness = (): number => this.lateness;
    this.transforms = [
      new FixedWindowAggregate(productActivity, state.tables.productActivity, lateness),
      new FixedWindowAggregate(inventory, state.tables.inventory, lateness),
      new FixedWindowAggregate(sales, state.tables.sales, lateness),
      new CoViewSessions(state.sessions, state.days, lateness),
    ];
  }

  get allowedLatenessMs(): number {
    return this.lateness;
  }

  /** Replays apply the lateness their cycle ran with. */
  set allowedLatenessMs(ms: number) {
    this.lateness = ms;
  }

  /**
   * Applies one valid event: late for every transform it feeds → dead letters; seen before →
   * a duplicate, nothing changes; otherwise it updates every transform that still admits it.
   */
  apply(event: JobEvent, raw: RawMessage | null): Applied {
    const state = this.state;
    const watermark = state.watermarkMs;
    state.counters.events += 1;
    // A source's watermark never runs ahead of the clock, whatever a sender's clock claims.
    state.sources[event.topic] = Math.max(state.sources[event.topic] ?? Number.NEGATIVE_INFINITY, Math.min(event.eventTimeMs, event.receivedAtMs));
    const decisions = this.transforms.map((t) => ({ t, admission: t.admission(event, watermark) }));
    const admitted = decisions.filter((d) => d.admission.kind === 'admit');
    const rejected = decisions.filter((d) => d.admission.kind === 'too_late');
    if (admitted.length > 0 && state.seen[event.eventId] !== undefined) {
      state.counters.duplicates += 1;
      return { duplicate: true, late: false, deadLetters: [] };
    }
    let late = false;
    let untilMs = Number.NEGATIVE_INFINITY;
    for (const { t, admission } of admitted) {
      if (admission.kind !== 'admit') continue;
      t.add(event, admission.late, watermark);
      late ||= admission.late;
      untilMs = Math.max(untilMs, admission.untilMs);
    }
    if (admitted.length > 0) {
      state.seen[event.eventId] = true;
      // Rounded up to the minute: forgotten a little later than it could be, in few buckets.
      const bucket = String(Math.ceil(untilMs / MINUTE_MS) * MINUTE_MS);
      (state.seenUntil[bucket] ??= []).push(event.eventId);
      state.counters.admitted += 1;
    }
    if (late) state.counters.late += 1;
    if (rejected.length > 0) state.counters.tooLate += 1;
    const deadLetters = raw
      ? rejected.map(({ t }) =>
          deadLetterOf(raw, t.transform, REJECTIONS.tooLate, `window of ${event.eventTime} closed before the watermark reached ${new Date(watermark ?? 0).toISOString()}`, {
            eventId: event.eventId,
            eventType: event.eventType,
            eventTime: event.eventTime,
          }),
        )
      : [];
    return { duplicate: false, late, deadLetters };
  }

  /** Moves the watermark (never backwards) and emits the panes due; `emittedAtMs` is kept increasing. */
  fire(watermarkMs: number | null, emittedAtMs: number): FiredRow[] {
    const state = this.state;
    if (watermarkMs !== null) state.watermarkMs = Math.max(state.watermarkMs ?? Number.NEGATIVE_INFINITY, watermarkMs);
    const emittedAt = new Date(Math.max(emittedAtMs, state.lastEmittedAtMs + 1));
    state.lastEmittedAtMs = emittedAt.getTime();
    const rows = this.transforms.flatMap((t) => t.fire(state.watermarkMs, emittedAt.toISOString(), state.shard));
    const watermark = state.watermarkMs;
    if (watermark !== null) {
      for (const [bucket, ids] of Object.entries(state.seenUntil)) {
        if (Number(bucket) > watermark) continue;
        for (const id of ids) delete state.seen[id];
        delete state.seenUntil[bucket];
      }
    }
    return rows;
  }
}

/** The transforms the runner feeds, for status and tests. */
export const RUNNER_TRANSFORMS = [productActivity.transform, inventory.transform, sales.transform, coViews.transform] as const;
