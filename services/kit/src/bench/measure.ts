/** Runs `op` from `concurrency` workers for `seconds` and reports throughput and latency. */
export interface Measurement {
  name: string;
  ops: number;
  errors: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function measure(name: string, seconds: number, concurrency: number, op: (worker: number, i: number) => Promise<boolean>): Promise<Measurement> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const t0 = performance.now();
        const ok = await op(worker, i);
        latencies.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { name, ops: latencies.length, errors, opsPerSecond: latencies.length / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

export function formatRow(m: Measurement): string {
  return `${m.name.padEnd(44)} ${m.opsPerSecond.toFixed(0).padStart(8)} ops/s   p50 ${m.p50Ms.toFixed(2).padStart(7)} ms   p99 ${m.p99Ms.toFixed(2).padStart(7)} ms   (${m.ops} ops, ${m.errors} errors)`;
}

/** The measurement with the median throughput. */
export function median(runs: Measurement[]): Measurement {
  const sorted = [...runs].sort((a, b) => a.opsPerSecond - b.opsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}
