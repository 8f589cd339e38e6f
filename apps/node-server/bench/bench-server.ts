import { createReferenceAgent } from '@fastagentic/http-contract/reference-agent';
import { InMemoryProvider } from '@fastagentic/memory';
import { metricsHandler, PrometheusMetricsRecorder } from '@fastagentic/prometheus';
import { serve } from '@hono/node-server';
import { OfflineRunnable } from 'fastagentic';
import type { AddressInfo } from 'node:net';

// The server under benchmark, in its own process so the load generator does not share its event loop.
const recorder = new PrometheusMetricsRecorder();
const runnable = new OfflineRunnable();
const app = createReferenceAgent({
  memory: new InMemoryProvider(),
  sessionMemory: new InMemoryProvider({ ttlSeconds: 3600 }),
  auth: { secret: process.env.JWT_SECRET! },
  runnable,
  metrics: { recorder, handler: metricsHandler(recorder.registry) },
  logger: { warn: () => {}, error: (message, details) => console.error(message, details) },
});
// The baseline: the same app, auth and runnable, with no memory read before or written after the reply.
app.agentEndpoint({ path: '/chat/no-memory', runnable, remember: false });

const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
