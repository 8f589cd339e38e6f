import { InMemoryProvider, MemoryNotFoundError, withMetrics } from '@fastagentic/memory';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { metricsHandler } from '../src/metrics-handler.js';
import { PrometheusMetricsRecorder } from '../src/prometheus-metrics-recorder.js';

describe('PrometheusMetricsRecorder', () => {
  it('exposes the spec series for real provider calls, served by the /metrics handler', async () => {
    const recorder = new PrometheusMetricsRecorder();
    const memory = withMetrics(new InMemoryProvider(), recorder);
    await memory.add('u1', [{ role: 'user', content: 'I like tea' }]);
    await memory.search('u1', 'tea');
    await memory.search('u1', 'coffee');
    await memory.delete('u1', 'no-such-id').catch((error: unknown) => {
      if (!MemoryNotFoundError.isInstance(error)) throw error;
    });

    const app = new Hono().get('/metrics', metricsHandler(recorder.registry));
    const response = await app.request('/metrics');
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('fastagentic_memory_operations_total{provider="in-memory",operation="search"} 2');
    expect(text).toContain('fastagentic_memory_operations_total{provider="in-memory",operation="add"} 1');
    for (const quantile of ['0.5', '0.9', '0.99']) {
      expect(text).toMatch(new RegExp(`fastagentic_memory_latency_ms\\{quantile="${quantile}",provider="in-memory",operation="search"\\} \\d`));
    }
    expect(text).toContain('fastagentic_memory_latency_ms_count{provider="in-memory",operation="search"} 2');
    expect(text).toContain(
      'fastagentic_memory_failures_total{provider="in-memory",operation="delete",error_type="MemoryNotFoundError"} 1',
    );
    // Process metrics need Node internals Workers lack; the recorder's registry has none.
    expect(text).not.toContain('process_cpu');
  });

  it('takes custom percentiles; one registry holds one recorder', async () => {
    const first = new PrometheusMetricsRecorder({ percentiles: [0.5, 0.999] });
    first.record({ operation: 'get', provider: 'redis', durationMs: 3, outcome: 'success' });
    const text = await first.metrics();
    expect(text).toContain('fastagentic_memory_latency_ms{quantile="0.999",provider="redis",operation="get"} 3');
    expect(() => new PrometheusMetricsRecorder({ registry: first.registry })).toThrow(/already been registered/);
  });

  it('exposes the write-behind queue depth and dropped writes', async () => {
    const recorder = new PrometheusMetricsRecorder();
    recorder.recordWriteQueue({ kind: 'depth', depth: 7 });
    recorder.recordWriteQueue({ kind: 'dropped', depth: 6 });
    recorder.recordWriteQueue({ kind: 'dropped', depth: 5 });
    const text = await recorder.metrics();
    expect(text).toContain('fastagentic_memory_write_queue_depth 5');
    expect(text).toContain('fastagentic_memory_dropped_writes_total 2');
  });

  it('counts the requests refused by a per-user limit, by reason and limit', async () => {
    const recorder = new PrometheusMetricsRecorder();
    recorder.recordRefusal({ reason: 'rate_limited', limit: 'requests' });
    recorder.recordRefusal({ reason: 'rate_limited', limit: 'requests' });
    recorder.recordRefusal({ reason: 'quota_exceeded', limit: 'bytes' });
    const text = await recorder.metrics();
    expect(text).toContain('fastagentic_requests_refused_total{reason="rate_limited",limit="requests"} 2');
    expect(text).toContain('fastagentic_requests_refused_total{reason="quota_exceeded",limit="bytes"} 1');
  });
});
