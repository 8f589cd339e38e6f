import type {
  MemoryOperationEvent,
  MemoryOperationStart,
  MemoryOperationTrace,
  MetricsRecorder,
} from '@fastagentic/memory';
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Histogram,
  type Meter,
  type Tracer,
} from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_MEMORY_RECORD_COUNT,
  ATTR_GEN_AI_MEMORY_STORE_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_MEMORY_OPERATION,
  ATTR_MEMORY_PROVIDER,
  GEN_AI_MEMORY_OPERATION_NAMES,
} from './gen-ai-memory-attributes.js';

export interface OpenTelemetryMetricsRecorderOptions {
  /** Default: `trace.getTracer('@fastagentic/opentelemetry')` from the registered provider. */
  tracer?: Tracer;
  /** Default: `metrics.getMeter('@fastagentic/opentelemetry')` from the registered provider. */
  meter?: Meter;
  /** `gen_ai.memory.store.id` on every span and measurement: what your store is (an index, a namespace). Omitted when unset. */
  storeId?: string;
  /** Create a span per call. Default true. */
  spans?: boolean;
}

const INSTRUMENTATION_NAME = '@fastagentic/opentelemetry';
export const OPERATION_DURATION_METRIC = 'fastagentic.memory.operation.duration';

// Seconds, as OpenTelemetry's duration conventions ask; memory calls range from microseconds (in
// process) to seconds (a remote service under load).
const DURATION_BUCKETS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function attributesOf(event: MemoryOperationStart, storeId: string | undefined): Attributes {
  const attributes: Attributes = {
    [ATTR_MEMORY_OPERATION]: event.operation,
    [ATTR_MEMORY_PROVIDER]: event.provider,
  };
  const operationName = GEN_AI_MEMORY_OPERATION_NAMES[event.operation];
  if (operationName) attributes[ATTR_GEN_AI_OPERATION_NAME] = operationName;
  if (storeId !== undefined) attributes[ATTR_GEN_AI_MEMORY_STORE_ID] = storeId;
  return attributes;
}

/**
 * Memory metrics and traces on `@opentelemetry/api` (bring the SDK): a CLIENT span per provider
 * call named `{gen_ai.operation.name} {provider}` (e.g. `search_memory redis`; `memory.getAll
 * redis` where the conventions define no operation), with `gen_ai.memory.record.count` and
 * `error.type`, and a histogram `fastagentic.memory.operation.duration` in seconds. Pass it as
 * `metrics` to the App, to `memoryMiddleware`, or to `withMetrics(provider, recorder)`.
 * No memory text or query is recorded.
 */
export class OpenTelemetryMetricsRecorder implements MetricsRecorder {
  private readonly tracer: Tracer;
  private readonly duration: Histogram;
  private readonly storeId: string | undefined;
  private readonly spans: boolean;

  constructor(options: OpenTelemetryMetricsRecorderOptions = {}) {
    this.tracer = options.tracer ?? trace.getTracer(INSTRUMENTATION_NAME);
    const meter = options.meter ?? metrics.getMeter(INSTRUMENTATION_NAME);
    this.duration = meter.createHistogram(OPERATION_DURATION_METRIC, {
      description: 'Duration of memory provider calls.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_S },
    });
    this.storeId = options.storeId;
    this.spans = options.spans ?? true;
  }

  startOperation(start: MemoryOperationStart): MemoryOperationTrace | undefined {
    if (!this.spans) return undefined;
    const attributes = attributesOf(start, this.storeId);
    const name = `${GEN_AI_MEMORY_OPERATION_NAMES[start.operation] ?? `memory.${start.operation}`} ${start.provider}`;
    const span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes });
    const spanContext = trace.setSpan(context.active(), span);
    return {
      run: (call) => context.with(spanContext, call),
      end: (event) => {
        if (event.recordCount !== undefined) span.setAttribute(ATTR_GEN_AI_MEMORY_RECORD_COUNT, event.recordCount);
        if (event.outcome === 'error') {
          span.setAttribute(ATTR_ERROR_TYPE, event.errorType ?? '_OTHER');
          span.setStatus({ code: SpanStatusCode.ERROR, message: event.errorType });
        }
        span.end();
      },
    };
  }

  record(event: MemoryOperationEvent): void {
    const attributes = attributesOf(event, this.storeId);
    if (event.outcome === 'error') attributes[ATTR_ERROR_TYPE] = event.errorType ?? '_OTHER';
    this.duration.record(event.durationMs / 1000, attributes);
  }
}
