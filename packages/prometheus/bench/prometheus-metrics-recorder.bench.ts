import { InMemoryProvider, withMetrics } from '@fastagentic/memory';
import { comparePair, printFigures } from '@fastagentic/bench';
import { PrometheusMetricsRecorder } from '../src/prometheus-metrics-recorder.js';

// The cost a recorder adds to every provider call: the same metered getAll with a recorder that
// does nothing, and with the Prometheus one (counter + sliding-window summary).
const provider = new InMemoryProvider();
for (let i = 0; i < 20; i++) await provider.add('bench-user', [{ role: 'user', content: `Fact number ${i}` }]);
const noop = withMetrics(provider, { record() {} });
const prometheus = withMetrics(provider, new PrometheusMetricsRecorder());
const BATCH = 100;
const batch = (metered: typeof noop) => async () => {
  for (let i = 0; i < BATCH; i++) await metered.getAll('bench-user', { limit: 20 });
};

const result = await comparePair({
  name: `${BATCH} x getAll(20), PrometheusMetricsRecorder`,
  baselineName: 'no-op recorder',
  baseline: batch(noop),
  candidate: batch(prometheus),
  iterations: 200,
});
const perCallUs = ((result.candidate.medianMs - result.baseline.medianMs) / BATCH) * 1000;
printFigures('Prometheus recorder overhead per provider call', [
  {
    name: result.name,
    value: result.candidate,
    baselineName: result.baselineName,
    baseline: result.baseline,
    target: 'ratio <= 1.15',
    met: result.medianRatio <= 1.15,
  },
  { name: 'added per call (median difference)', value: { text: `${perCallUs.toFixed(1)} µs` } },
]);
