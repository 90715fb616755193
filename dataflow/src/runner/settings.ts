/** How the runner treats time: the knobs of watermarks, lateness, panes and checkpoints. */
export interface JobSettings {
  /** Events whose window ended this long before the watermark are dead-lettered. */
  allowedLatenessMs: number;
  /** How far behind a source's newest event its watermark stays. */
  maxOutOfOrdernessMs: number;
  /** A source with no event for this long stops holding the watermark back. */
  idleTimeoutMs: number;
  /** Early panes (and the commit that acks what they cover) this often. */
  panePeriodMs: number;
  /** Events claiming a time further than this past their receipt are dead-lettered. */
  maxFutureMs: number;
  /** Cycles between full checkpoints; the cycles between are small deltas. */
  snapshotEvery: number;
  /** Commit early once this many messages wait for their acks. */
  maxPending: number;
  /** A subscription that delivered nothing for this long is closed and opened again. */
  resubscribeAfterMs: number;
}

export const DEFAULT_SETTINGS: JobSettings = {
  allowedLatenessMs: 10 * 60_000,
  maxOutOfOrdernessMs: 10_000,
  idleTimeoutMs: 60_000,
  panePeriodMs: 5_000,
  maxFutureMs: 10 * 60_000,
  snapshotEvery: 60,
  maxPending: 5_000,
  resubscribeAfterMs: 120_000,
};
