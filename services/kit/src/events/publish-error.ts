/** A publish the broker accepted only in part; `failed` are indexes into the published batch. */
export class BusPublishError extends Error {
  readonly topic: string;
  readonly failed: readonly number[];

  constructor(topic: string, failed: readonly number[], cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`${failed.length} message(s) to ${topic} were not accepted: ${reason}`, { cause });
    this.name = 'BusPublishError';
    this.topic = topic;
    this.failed = failed;
  }
}

/** Indexes of a publish of `count` messages that the broker did not accept. */
export function failedIndexes(err: unknown, count: number): number[] {
  if (err instanceof BusPublishError) return [...err.failed];
  return Array.from({ length: count }, (_, i) => i);
}
