import { InMemoryProvider, injectMemory, withMetrics, type MemoryProvider } from '@fastagentic/memory';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { App, OfflineRunnable } from 'fastagentic';
import { sign } from 'hono/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_DURATION_METRIC, OpenTelemetryMetricsRecorder } from '../src/index.js';

const contextManager = new AsyncLocalStorageContextManager();
beforeAll(() => void context.setGlobalContextManager(contextManager.enable()));
afterAll(() => {
  contextManager.disable();
  context.disable();
});

function telemetry(options: { storeId?: string } = {}) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const tracer = tracerProvider.getTracer('test');
  const recorder = new OpenTelemetryMetricsRecorder({ tracer, meter: meterProvider.getMeter('test'), ...options });
  const durationPoints = async () => {
    await reader.forceFlush();
    const metrics = metricExporter.getMetrics().at(-1)!.scopeMetrics.flatMap((scope) => scope.metrics);
    const histogram = metrics.find((metric) => metric.descriptor.name === OPERATION_DURATION_METRIC) as HistogramMetricData;
    expect(histogram.descriptor.unit).toBe('s');
    return histogram.dataPoints;
  };
  return { spans, tracer, recorder, durationPoints };
}

describe('OpenTelemetryMetricsRecorder', () => {
  it('makes a span per call named and attributed after the GenAI memory conventions', async () => {
    const { spans, recorder } = telemetry({ storeId: 'chat-memories' });
    const memory = withMetrics(new InMemoryProvider(), recorder);
    const id = await memory.add('alice', [{ role: 'user', content: 'I like jazz' }]);
    await memory.add('alice', [{ role: 'user', content: 'I like jazz records' }]);
    await memory.search('alice', 'jazz');
    await memory.getAll('alice');
    await memory.delete('alice', id);
    await memory.search('', 'jazz').catch(() => undefined);

    const finished = spans.getFinishedSpans();
    expect(finished.map((span) => span.name)).toEqual([
      'create_memory in-memory',
      'create_memory in-memory',
      'search_memory in-memory',
      'memory.getAll in-memory',
      'delete_memory in-memory',
      'search_memory in-memory',
    ]);
    const search = finished[2]!;
    expect(search.kind).toBe(2); // SpanKind.CLIENT
    expect(search.attributes).toEqual({
      'gen_ai.operation.name': 'search_memory',
      'gen_ai.memory.store.id': 'chat-memories',
      'gen_ai.memory.record.count': 2,
      'fastagentic.memory.operation': 'search',
      'fastagentic.memory.provider': 'in-memory',
    });
    expect(finished[3]!.attributes['gen_ai.operation.name']).toBeUndefined();
    expect(finished[3]!.attributes['gen_ai.memory.record.count']).toBe(2);
    const failed = finished[5]!;
    expect(failed.attributes['error.type']).toBe('MemoryValidationError');
    expect(failed.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(finished.every((span) => JSON.stringify(span.attributes).includes('jazz') === false)).toBe(true);
  });

  it('records a latency histogram in seconds by operation, provider and error type', async () => {
    const { recorder, durationPoints } = telemetry();
    const memory = withMetrics(new InMemoryProvider(), recorder);
    await memory.add('alice', [{ role: 'user', content: 'I like jazz' }]);
    await memory.search('alice', 'jazz');
    await memory.search('alice', 'blues');
    await memory.search('', 'jazz').catch(() => undefined);

    const points = await durationPoints();
    const searches = points.filter((point) => point.attributes['fastagentic.memory.operation'] === 'search');
    const ok = searches.find((point) => point.attributes['error.type'] === undefined)!;
    const failed = searches.find((point) => point.attributes['error.type'] === 'MemoryValidationError')!;
    expect(ok.value.count).toBe(2);
    expect(ok.attributes).toEqual({
      'fastagentic.memory.operation': 'search',
      'fastagentic.memory.provider': 'in-memory',
      'gen_ai.operation.name': 'search_memory',
    });
    expect(failed.value.count).toBe(1);
    expect(ok.value.sum).toBeGreaterThan(0);
    expect(ok.value.sum).toBeLessThan(1); // seconds, not milliseconds
  });

  it('nests the provider’s own spans under the memory span, and the memory span under the caller’s', async () => {
    const { spans, tracer, recorder } = telemetry();
    const inner = new InMemoryProvider();
    const traced: MemoryProvider = Object.assign(Object.create(inner) as MemoryProvider, {
      search: (...args: Parameters<MemoryProvider['search']>) =>
        tracer.startActiveSpan('HTTP POST', async (span) => {
          try {
            return await inner.search(...args);
          } finally {
            span.end();
          }
        }),
    });
    const memory = withMetrics(traced, recorder);
    await tracer.startActiveSpan('chat turn', async (span) => {
      await memory.search('alice', 'jazz');
      span.end();
    });

    const byName = new Map(spans.getFinishedSpans().map((span) => [span.name, span]));
    const turn = byName.get('chat turn')!;
    const search = byName.get('search_memory in-memory')!;
    const http = byName.get('HTTP POST')!;
    expect(search.parentSpanContext?.spanId).toBe(turn.spanContext().spanId);
    expect(http.parentSpanContext?.spanId).toBe(search.spanContext().spanId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('traces the App’s memory reads and background writes', async () => {
    const { spans, recorder, durationPoints } = telemetry();
    const secret = 'opentelemetry-test-secret-0123456789';
    const app = new App({ title: 't', memory: new InMemoryProvider(), metrics: recorder, auth: { secret } });
    app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable(), memory: injectMemory({ strategy: 'relevant' }) });
    const token = await sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 }, secret, 'HS256');

    const response = await app.fetch(
      new Request('http://app.test/chat', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'I play the saxophone.' }),
      }),
    );
    expect(response.status).toBe(200);
    await app.drain();

    expect(spans.getFinishedSpans().map((span) => span.name)).toEqual(['search_memory in-memory', 'create_memory in-memory']);
    const points = await durationPoints();
    expect(points.map((point) => point.attributes['fastagentic.memory.operation']).sort()).toEqual(['add', 'search']);
  });
});
