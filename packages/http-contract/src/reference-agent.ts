import { injectMemory, injectWithProfile, type MemoryProvider, type MetricsRecorder } from '@fastagentic/memory';
import { App, OfflineRunnable, type AppLogger, type BearerAuthOptions, type Runnable } from 'fastagentic';
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
  });
  app
    // Each strategy injects the user's profile as its own block beside the memories it picks.
    // 0.3 keeps memories sharing a content word with the message (see the formation eval).
    .agentEndpoint({
      path: REFERENCE_CHAT_ROUTES.relevant,
      runnable,
      memory: injectWithProfile(injectMemory({ strategy: 'relevant', maxMemories: 10, minRelevance: 0.3 })),
    })
    .agentEndpoint({
      path: REFERENCE_CHAT_ROUTES.recent,
      runnable,
      memory: injectWithProfile(injectMemory({ strategy: 'recent', maxMemories: 20, timeWindowHours: 24 })),
    })
    .agentEndpoint({ path: REFERENCE_CHAT_ROUTES.all, runnable, memory: injectWithProfile(injectMemory({ strategy: 'all', maxMemories: 50 })) });
  if (options.metrics) app.hono.get('/metrics', options.metrics.handler);
  app.hono.get('/', (c) =>
    c.json({ title: app.title, chat: Object.values(REFERENCE_CHAT_ROUTES), runnable: runnable.name }),
  );
  return app;
}
