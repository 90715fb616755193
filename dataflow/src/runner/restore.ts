import type { Checkpoint, CycleDelta } from './checkpoint';
import { ShardPipeline } from './pipeline';
import { emptyState, type ShardState } from './state';

/** Redoes one committed cycle on the pipeline's state; its output was written when it first ran. */
export function replayCycle(pipeline: ShardPipeline, delta: CycleDelta): void {
  const state = pipeline.state;
  pipeline.allowedLatenessMs = delta.allowedLatenessMs;
  state.watermarkMs = delta.appliedUnderMs;
  for (const event of delta.events) pipeline.apply(event, null);
  state.counters.invalid += delta.invalid;
  pipeline.fire(delta.watermarkMs, delta.emittedAtMs);
  state.seq = delta.seq;
}

/** The state a shard had after its last committed cycle: the snapshot with the cycles after it redone. */
export function restoreState(shard: number, checkpoint: Checkpoint, allowedLatenessMs: number): ShardState {
  const state = checkpoint.snapshot ?? emptyState(shard);
  if (state.format !== 1) throw new Error(`checkpoint state has unknown format ${String(state.format)}`);
  if (state.shard !== shard) throw new Error(`checkpoint of shard ${state.shard} found where shard ${shard}'s belongs`);
  const pipeline = new ShardPipeline(state, allowedLatenessMs);
  for (const delta of checkpoint.deltas) replayCycle(pipeline, delta);
  return state;
}
