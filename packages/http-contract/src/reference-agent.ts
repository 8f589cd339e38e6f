import { injectMemory, type MemoryProvider, type MetricsRecorder } from '@fastagentic/memory';
import { App, OfflineRunnable, type AppLogger, type AppOptions, type BearerAuthOptions, type Runnable } from 'fastagentic';
import type { Context } from 'hono';

/** The chat routes of the reference agent, one per injection strategy. */
export const REFERENCE_CHAT_ROUTES = {
  relevant: '/chat',
  recent: '/chat/recent',
  all: '/chat/all',
} as const;

export interface ReferenceAgentOptions {
  memory: MemoryProvider;
  sessionMemory?: MemoryProvider;
  auth: BearerAuthOptions;
  /** A recorder and the handler that serves it on `/metrics`, e.g. from @fastagentic/prometheus. */
  metrics?: { recorder: MetricsRecorder; handler: (c: Context) => Promise<Response> };
  /** Default: the offline runnable, so the agent needs no network or key. */
  runnable?: Runnable;
  memoryBudgetMs?: number;
  failClosed?: boolean;
  logger?: AppLogger;
  /** Serves the memory inspector at `/inspector`. Default false. */
  inspector?: boolean;
  /** The write-behind queue's bounds and journal (see `AppOptions.writeQueue`). */
  writeQueue?: AppOptions['writeQueue'];
}

/** The agent both reference servers run, and the one the HTTP contract suite describes. */
export function createReferenceAgent(options: ReferenceAgentOptions): App {
  const runnable = options.runnable ?? new OfflineRunnable();
  const app = new App({
    title: 'FastAgentic reference agent',
    memory: options.memory,
    sessionMemory: options.sessionMemory,
    metrics: options.metrics?.recorder,
    auth: options.auth,
    memoryBudgetMs: options.memoryBudgetMs,
    failClosed: options.failClosed,
    logger: options.logger,
    inspector: options.inspector,
    writeQueue: options.writeQueue,
  });
  app
    .agentEndpoint({ path: REFERENCE_CHAT_ROUTES.relevant, runnable, memory: injectMemory({ strategy: 'relevant', maxMemories: 10 }) })
    .agentEndpoint({ path: REFERENCE_CHAT_ROUTES.recent, runnable, memory: injectMemory({ strategy: 'recent', maxMemories: 20, timeWindowHours: 24 }) })
    .agentEndpoint({ path: REFERENCE_CHAT_ROUTES.all, runnable, memory: injectMemory({ strategy: 'all', maxMemories: 50 }) });
  if (options.metrics) app.hono.get('/metrics', options.metrics.handler);
  app.hono.get('/', (c) =>
    c.json({ title: app.title, chat: Object.values(REFERENCE_CHAT_ROUTES), runnable: runnable.name }),
  );
  return app;
}
