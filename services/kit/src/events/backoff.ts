/**
 * Delay before retry number `attempt` (1-based): exponential from `initialMs`, capped at `maxMs`,
 * with "equal jitter" so replicas retrying together spread out but never retry at once.
 */
export function retryDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
