import type { DeadLetter, JobEvent } from '@shop/dataflow';

/** A valid event with the analytics shard its message was published to (the `shard` attribute). */
export interface ShardedEvent {
  shard: number;
  event: JobEvent;
}

/** What parsing one message yields: exactly one of the two, so Beam's split can route it. */
export type Parsed = { event: ShardedEvent } | { deadLetter: DeadLetter };

/** The outputs of the parse step, one PCollection each. */
export type ParsedOutputs = {
  event: ShardedEvent;
  deadLetter: DeadLetter;
};

/** One table input with the shard and key it is combined under. */
export interface KeyedInput<I> {
  shard: number;
  key: string;
  input: I;
}

/** The combined value of one shard, key and window, as Beam's groupBy(...).combining(...) emits it. */
export interface Combined<O> {
  shard: number;
  key: string;
  output: O;
}
