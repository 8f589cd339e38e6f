export interface Stats {
  samples: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
}

export interface MeasureOptions {
  /** Timed runs. Default 200. */
  iterations?: number;
  /** Untimed runs first, to let the JIT settle. Default 20. */
  warmup?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(durations: number[]): Stats {
  const sorted = [...durations].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    medianMs: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length),
  };
}

/** Times `fn` run after run and returns the median and p99 of the runs. */
export async function measure(fn: () => unknown, options: MeasureOptions = {}): Promise<Stats> {
  const iterations = options.iterations ?? 200;
  for (let i = 0; i < (options.warmup ?? 20); i++) await fn();
  const durations: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await fn();
    durations.push(performance.now() - started);
  }
  return summarize(durations);
}

export function formatDuration(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
