/** Percentile (0-100) of already sorted samples, nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? NaN;
}

/** Runs `fn` `warmup` times, then `runs` times sequentially; returns sorted latencies in ms. */
export async function measure(fn: () => Promise<void>, runs: number, warmup = Math.ceil(runs / 10)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b);
}

/** One line of figures: p50/p95/p99 in ms. */
export function summary(label: string, sorted: readonly number[]): string {
  const f = (n: number) => n.toFixed(2).padStart(8);
  return `${label.padEnd(44)} p50 ${f(percentile(sorted, 50))} ms  p95 ${f(percentile(sorted, 95))} ms  p99 ${f(percentile(sorted, 99))} ms  (n=${sorted.length})`;
}
