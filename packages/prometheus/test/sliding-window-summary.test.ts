import { Registry, Summary } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SlidingWindowSummary } from '../src/sliding-window-summary.js';

const configuration = (registry: Registry) => ({
  name: 'latency_ms',
  help: 'h',
  labelNames: ['operation'] as const,
  percentiles: [0.5, 0.9, 0.99],
  maxAgeSeconds: 600,
  ageBuckets: 5,
  registers: [registry],
});

describe('SlidingWindowSummary', () => {
  afterEach(() => vi.useRealTimers());

  it('exposes the same series as prom-client Summary for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const sliding = new SlidingWindowSummary({ ...configuration(ours), labelNames: [...configuration(ours).labelNames] });
    const reference = new Summary({ ...configuration(theirs), labelNames: [...configuration(theirs).labelNames] });
    for (let i = 0; i < 500; i++) {
      const value = (i * 37) % 101;
      sliding.observe({ operation: i % 3 === 0 ? 'add' : 'search' }, value);
      reference.observe({ operation: i % 3 === 0 ? 'add' : 'search' }, value);
    }
    const lines = (text: string) => text.split('\n').map((line) => line.replace(/ ([\d.]+)$/, (_, n: string) => ` ${Math.round(Number(n))}`));
    expect(lines(await ours.metrics())).toEqual(lines(await theirs.metrics()));
  });

  it('drops observations older than the window from the quantiles but keeps them in count and sum', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const registry = new Registry();
    const sliding = new SlidingWindowSummary({ ...configuration(registry), labelNames: ['operation'] });
    sliding.observe({ operation: 'search' }, 1000);
    vi.advanceTimersByTime(479_000);
    sliding.observe({ operation: 'search' }, 1);
    expect(await registry.metrics()).toContain('latency_ms{quantile="0.99",operation="search"} 1000');
    vi.advanceTimersByTime(240_000);
    const text = await registry.metrics();
    expect(text).toContain('latency_ms{quantile="0.99",operation="search"} 1');
    expect(text).toContain('latency_ms_count{operation="search"} 2');
    expect(text).toContain('latency_ms_sum{operation="search"} 1001');
  });
});
