import type { MemoryOperationEvent, MetricsRecorder, RefusalEvent, WriteQueueEvent } from '@fastagentic/memory';
import { Counter, Gauge, Registry } from 'prom-client';
import { SlidingWindowSummary } from './sliding-window-summary.js';

export interface PrometheusMetricsRecorderOptions {
  /** Where the series are registered. Default: a new registry, without prom-client's process metrics (they do not run on Workers). */
  registry?: Registry;
  /** Latency quantiles. Default 0.5, 0.9, 0.99. */
  percentiles?: number[];
  /** Quantiles cover this sliding window rather than the whole process life. Default 600 s. */
  maxAgeSeconds?: number;
  /** Buckets of the sliding window. Default 5. */
  ageBuckets?: number;
}

/**
 * The spec's memory metrics on prom-client:
 * - `fastagentic_memory_operations_total{provider, operation}`
 * - `fastagentic_memory_latency_ms{provider, operation, quantile}` (a Summary)
 * - `fastagentic_memory_failures_total{provider, operation, error_type}`
 * - `fastagentic_memory_write_queue_depth` and `fastagentic_memory_dropped_writes_total` (the App's
 *   write-behind queue)
 * - `fastagentic_requests_refused_total{reason, limit}` (the App's per-user rate limit and quota:
 *   `rate_limited` / `requests`, `quota_exceeded` / `memories` or `bytes`)
 * Pass it as `metrics` to the App, or to `withMetrics(provider, recorder)`.
 */
export class PrometheusMetricsRecorder implements MetricsRecorder {
  readonly registry: Registry;
  private readonly operations: Counter<'provider' | 'operation'>;
  private readonly latency: SlidingWindowSummary<'provider' | 'operation'>;
  private readonly failures: Counter<'provider' | 'operation' | 'error_type'>;
  private readonly queueDepth: Gauge;
  private readonly droppedWrites: Counter;
  private readonly refusals: Counter<'reason' | 'limit'>;

  constructor(options: PrometheusMetricsRecorderOptions = {}) {
    this.registry = options.registry ?? new Registry();
    const registers = [this.registry];
    this.operations = new Counter({
      name: 'fastagentic_memory_operations_total',
      help: 'Memory provider calls, by provider and operation.',
      labelNames: ['provider', 'operation'],
      registers,
    });
    this.latency = new SlidingWindowSummary({
      name: 'fastagentic_memory_latency_ms',
      help: 'Memory provider call latency in milliseconds.',
      labelNames: ['provider', 'operation'],
      percentiles: options.percentiles ?? [0.5, 0.9, 0.99],
      maxAgeSeconds: options.maxAgeSeconds ?? 600,
      ageBuckets: options.ageBuckets ?? 5,
      registers,
    });
    this.failures = new Counter({
      name: 'fastagentic_memory_failures_total',
      help: 'Memory provider calls that failed, by provider, operation and error type.',
      labelNames: ['provider', 'operation', 'error_type'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'fastagentic_memory_write_queue_depth',
      help: 'Memory writes promised by replies and not yet stored.',
      registers,
    });
    this.droppedWrites = new Counter({
      name: 'fastagentic_memory_dropped_writes_total',
      help: 'Memory writes dropped because the write-behind queue was full.',
      registers,
    });
    this.refusals = new Counter({
      name: 'fastagentic_requests_refused_total',
      help: 'Requests refused by a per-user limit, by reason (rate_limited, quota_exceeded) and limit (requests, memories, bytes).',
      labelNames: ['reason', 'limit'],
      registers,
    });
  }

  recordWriteQueue(event: WriteQueueEvent): void {
    this.queueDepth.set(event.depth);
    if (event.kind === 'dropped') this.droppedWrites.inc();
  }

  recordRefusal(event: RefusalEvent): void {
    this.refusals.inc({ reason: event.reason, limit: event.limit });
  }

  record(event: MemoryOperationEvent): void {
    const labels = { provider: event.provider, operation: event.operation };
    this.operations.inc(labels);
    this.latency.observe(labels, event.durationMs);
    if (event.outcome === 'error') {
      this.failures.inc({ ...labels, error_type: event.errorType ?? 'unknown' });
    }
  }

  /** The exposition text, as served on `/metrics`. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
