import tdigest from 'tdigest';
import { Summary, type LabelValues, type MetricObjectWithValues, type MetricValueWithName, type SummaryConfiguration } from 'prom-client';

/** prom-client's default `compressCount`. */
const DEFAULT_COMPRESS_COUNT = 1000;

interface Series<T extends string> {
  labels: LabelValues<T>;
  /** One digest per age bucket, each holding only its own interval's observations. */
  digests: InstanceType<typeof tdigest.TDigest>[];
  /** The interval each digest holds. */
  intervals: number[];
  count: number;
  sum: number;
}

/**
 * A prom-client Summary with the same series and sliding window (quantiles over the last
 * `maxAgeSeconds`, in `ageBuckets` steps), at a fifth of the cost per observation: prom-client
 * pushes every observation into all `ageBuckets` digests, this pushes it into the current
 * interval's digest only and merges the intervals still in the window when scraped.
 */
export class SlidingWindowSummary<T extends string> extends Summary<T> {
  private readonly series = new Map<string, Series<T>>();
  private readonly labelKeys: readonly T[];
  private readonly quantiles: readonly number[];
  private readonly intervalMs: number;
  private readonly bucketCount: number;
  private readonly compressCount: number;

  constructor(configuration: SummaryConfiguration<T> & { labelNames: readonly T[]; percentiles: number[]; maxAgeSeconds: number; ageBuckets: number }) {
    super(configuration);
    this.labelKeys = configuration.labelNames;
    this.quantiles = configuration.percentiles;
    this.bucketCount = configuration.ageBuckets;
    this.compressCount = configuration.compressCount ?? DEFAULT_COMPRESS_COUNT;
    this.intervalMs = (configuration.maxAgeSeconds * 1000) / configuration.ageBuckets;
  }

  override observe(labelsOrValue: LabelValues<T> | number, value?: number): void {
    const labels = typeof labelsOrValue === 'number' ? ({} as LabelValues<T>) : labelsOrValue;
    const observed = typeof labelsOrValue === 'number' ? labelsOrValue : value!;
    if (!Number.isFinite(observed)) throw new TypeError(`Value is not a valid number: ${observed}`);
    const key = this.keyOf(labels);
    let series = this.series.get(key);
    if (series === undefined) {
      series = {
        labels: { ...labels },
        digests: Array.from({ length: this.bucketCount }, () => new tdigest.TDigest()),
        intervals: new Array<number>(this.bucketCount).fill(Number.NEGATIVE_INFINITY),
        count: 0,
        sum: 0,
      };
      this.series.set(key, series);
    }
    const interval = Math.floor(Date.now() / this.intervalMs);
    const slot = interval % this.bucketCount;
    if (series.intervals[slot] !== interval) {
      series.digests[slot]!.reset();
      series.intervals[slot] = interval;
    }
    const digest = series.digests[slot]!;
    digest.push(observed);
    series.count++;
    // As prom-client does: a digest left alone grows to 2,500 centroids, and every push walks them.
    if (series.count % this.compressCount === 0) digest.compress();
    series.sum += observed;
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<T>>> {
    // prom-client's own get gives name, help, type and aggregator (and runs `collect`); its series stay empty.
    const exported = await super.get();
    const current = Math.floor(Date.now() / this.intervalMs);
    const values: MetricValueWithName<T>[] = [];
    for (const series of this.series.values()) {
      const window = new tdigest.TDigest();
      for (let slot = 0; slot < this.bucketCount; slot++) {
        if (current - series.intervals[slot]! < this.bucketCount) window.push_centroid(series.digests[slot]!.toArray());
      }
      for (const quantile of this.quantiles) {
        values.push({ labels: { quantile, ...series.labels } as LabelValues<T>, value: window.percentile(quantile) || 0 });
      }
      values.push({ metricName: `${exported.name}_sum`, labels: series.labels, value: series.sum });
      values.push({ metricName: `${exported.name}_count`, labels: series.labels, value: series.count });
    }
    return { ...exported, values };
  }

  /** As prom-client's: every series stays, emptied. */
  override reset(): void {
    // prom-client's constructor calls reset before this class's fields exist.
    if (this.series === undefined) return;
    for (const series of this.series.values()) {
      for (const digest of series.digests) digest.reset();
      series.count = 0;
      series.sum = 0;
    }
  }

  override labels(...args: unknown[]): Summary.Internal<T> {
    const labels = this.labelsOf(args);
    return { observe: (value: number) => this.observe(labels, value), startTimer: () => super.startTimer(labels) };
  }

  override remove(...args: unknown[]): void {
    this.series.delete(this.keyOf(this.labelsOf(args)));
  }

  /** Label values given in order, or as an object, as prom-client accepts them. */
  private labelsOf(args: unknown[]): LabelValues<T> {
    if (typeof args[0] === 'object' && args[0] !== null) return args[0] as LabelValues<T>;
    return Object.fromEntries(this.labelKeys.map((name, index) => [name, args[index]])) as LabelValues<T>;
  }

  private keyOf(labels: LabelValues<T>): string {
    return this.labelKeys.map((name) => labels[name]).join('\u0000');
  }
}
