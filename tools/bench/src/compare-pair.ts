import { type MeasureOptions, type Stats, summarize } from './measure.js';

export interface ComparePairOptions extends MeasureOptions {
  /** The thing measured, e.g. `RedisProvider.add`. */
  name: string;
  /** What it is compared with, e.g. `raw ioredis HSET+ZADD`. */
  baselineName: string;
  /** Both get the run's index, so each pair can work on the same input. */
  baseline: (run: number) => unknown;
  candidate: (run: number) => unknown;
}

export interface PairResult {
  name: string;
  baselineName: string;
  candidate: Stats;
  baseline: Stats;
  /** candidate median / baseline median. */
  medianRatio: number;
  /** candidate p99 / baseline p99. */
  p99Ratio: number;
}

/**
 * Measures a candidate and its baseline in the same run, alternating them run by run so that
 * drift in the machine's speed (GC, other load) falls on both alike.
 */
export async function comparePair(options: ComparePairOptions): Promise<PairResult> {
  const iterations = options.iterations ?? 200;
  const warmup = options.warmup ?? 20;
  for (let i = 0; i < warmup; i++) {
    await options.baseline(i);
    await options.candidate(i);
  }
  const baseline: number[] = [];
  const candidate: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const first = i % 2 === 0 ? 'baseline' : 'candidate';
    for (const which of first === 'baseline' ? ['baseline', 'candidate'] : ['candidate', 'baseline']) {
      const fn = which === 'baseline' ? options.baseline : options.candidate;
      const started = performance.now();
      await fn(i);
      (which === 'baseline' ? baseline : candidate).push(performance.now() - started);
    }
  }
  const b = summarize(baseline);
  const c = summarize(candidate);
  return {
    name: options.name,
    baselineName: options.baselineName,
    candidate: c,
    baseline: b,
    medianRatio: c.medianMs / b.medianMs,
    p99Ratio: c.p99Ms / b.p99Ms,
  };
}
