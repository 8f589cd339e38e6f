import { createReferenceAgent } from '@fastagentic/http-contract/reference-agent';
import { InMemoryProvider } from '@fastagentic/memory';
import { metricsHandler, PrometheusMetricsRecorder } from '@fastagentic/prometheus';
import { serve } from '@hono/node-server';
import { OfflineRunnable, type App, type AppLogger } from 'fastagentic';
import type { AddressInfo } from 'node:net';
import { startNodeServer } from '../src/start-node-server.js';

// The server under benchmark, in its own process so the load generator does not share its event loop.
// BENCH_STORE=redis: the real server (startNodeServer) with REDIS_URL behind both stores;
// otherwise the reference agent on InMemoryProvider.
const runnable = new OfflineRunnable();
const quiet: AppLogger = { warn: () => {}, error: (message, details) => console.error(message, details) };

let app: App;
let port: number;
let close: () => Promise<void>;
if (process.env.BENCH_STORE === 'redis') {
  const server = await startNodeServer({
    // The bench's 300 users chat far faster than the per-user limits allow, and its busy user holds
    // 10,000 memories: the limits are off, as in the runs before them (their cost is measured in
    // packages/fastagentic's bench).
    env: { REDIS_URL: process.env.REDIS_URL, JWT_SECRET: process.env.JWT_SECRET, HOST: '127.0.0.1', PORT: '0', RATE_LIMIT: 'off', QUOTA: 'off' },
    logger: quiet,
  });
  app = server.app;
  port = Number(new URL(server.url).port);
  close = server.close;
} else {
  const recorder = new PrometheusMetricsRecorder();
  app = createReferenceAgent({
    memory: new InMemoryProvider(),
    sessionMemory: new InMemoryProvider({ ttlSeconds: 3600 }),
    auth: { secret: process.env.JWT_SECRET! },
    runnable,
    metrics: { recorder, handler: metricsHandler(recorder.registry) },
    logger: quiet,
    rateLimit: false,
    storageQuota: false,
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  port = (server.address() as AddressInfo).port;
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
}
// The baseline: the same app, auth and runnable, with no memory read before or written after the
// reply (no session turns either, though the request names a session).
app.agentEndpoint({ path: '/chat/no-memory', runnable, remember: false, sessionTurns: 0 });

process.stdout.write(`${port}\n`);
process.on('SIGTERM', () => {
  // Exit even if a keep-alive connection lingers; the data is the run's own and thrown away.
  setTimeout(() => process.exit(0), 2_000).unref();
  void close().then(() => process.exit(0));
});
