/** Events per second over the last few seconds, from counts in one-second buckets. */
export class RateMeter {
  private readonly buckets = new Map<number, number>();

  constructor(private readonly seconds = 10) {}

  add(count: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    this.buckets.set(second, (this.buckets.get(second) ?? 0) + count);
    for (const key of this.buckets.keys()) if (key <= second - this.seconds) this.buckets.delete(key);
  }

  perSecond(nowMs: number): number {
    const second = Math.floor(nowMs / 1000);
    let total = 0;
    // Whole seconds only: the current one is still filling.
    for (const [key, count] of this.buckets) if (key < second && key >= second - this.seconds) total += count;
    return total / this.seconds;
  }
}
