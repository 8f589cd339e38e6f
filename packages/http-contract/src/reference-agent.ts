import { injectMemory, injectWithProfile, MemoryConfigurationError, type MemoryProvider, type MetricsRecorder } from '@fastagentic/memory';
import {
  App,
  errorBody,
  OfflineRunnable,
  type AppLogger,
  type AppOptions,
  type BearerAuthOptions,
  type Runnable,
  type StorageQuotaOptions,
  type UserRateLimitOptions,
} from 'fastagentic';
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
  /**
   * A recorder and the handler that serves it on `/metrics`, e.g. from @fastagentic/prometheus.
   * With `token`, `/metrics` answers only `Authorization: Bearer <token>`.
   */
  metrics?: { recorder: MetricsRecorder; handler: (c: Context) => Promise<Response>; token?: string };
  /** Default: the offline runnable, so the agent needs no network or key. */
  runnable?: Runnable;
  memoryBudgetMs?: number;
  failClosed?: boolean;
  logger?: AppLogger;
  /** Serves the memory inspector at `/inspector`. Default false. */
  inspector?: boolean;
  /** The write-behind queue's bounds and journal (see `AppOptions.writeQueue`). */
  writeQueue?: AppOptions['writeQueue'];
  /** How a turn becomes memory (see `AppOptions.formation`); `false` stores each raw exchange, journaled before the reply. */
  formation?: AppOptions['formation'];
  /** Per-user request rate. Default `DEFAULT_RATE_LIMIT`; `false` turns it off. */
  rateLimit?: UserRateLimitOptions | false;
  /** Per-user storage quota of long-term memory. Default the App's (10 000 memories, 8 MiB); `false` turns it off. */
  storageQuota?: StorageQuotaOptions | false;
}

/** 5 requests a second per user, sustained, in bursts of up to 60: far above a person chatting. */
export const DEFAULT_RATE_LIMIT: UserRateLimitOptions = { requestsPerSecond: 5, burst: 60 };

/** The per-user limits, token lifetime and metrics token, as both reference servers read them from their environment. */
export interface ReferenceLimits {
  rateLimit: UserRateLimitOptions | false;
  storageQuota: StorageQuotaOptions | false;
  maxTokenLifetimeSeconds?: number;
  metricsToken?: string;
}

/** The variables `referenceLimitsFrom` reads. */
export type ReferenceLimitVariables = Partial<
  Record<
    | 'RATE_LIMIT'
    | 'RATE_LIMIT_PER_SECOND'
    | 'RATE_LIMIT_BURST'
    | 'QUOTA'
    | 'QUOTA_MAX_MEMORIES'
    | 'QUOTA_MAX_BYTES'
    | 'TOKEN_MAX_LIFETIME_SECONDS'
    | 'METRICS_TOKEN',
    string
  >
>;

function positiveNumber(env: ReferenceLimitVariables, name: keyof ReferenceLimitVariables, integer: boolean): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value) && (!integer || Number.isInteger(value)))) {
    throw new MemoryConfigurationError(name, `must be a positive ${integer ? 'integer' : 'number'}, not "${text}"`);
  }
  return value;
}

/**
 * `RATE_LIMIT_PER_SECOND`, `RATE_LIMIT_BURST` (or `RATE_LIMIT=off`), `QUOTA_MAX_MEMORIES`,
 * `QUOTA_MAX_BYTES` (or `QUOTA=off`), `TOKEN_MAX_LIFETIME_SECONDS` and `METRICS_TOKEN`.
 */
export function referenceLimitsFrom(env: ReferenceLimitVariables): ReferenceLimits {
  const requestsPerSecond = positiveNumber(env, 'RATE_LIMIT_PER_SECOND', false) ?? DEFAULT_RATE_LIMIT.requestsPerSecond;
  const burst = positiveNumber(env, 'RATE_LIMIT_BURST', true) ?? DEFAULT_RATE_LIMIT.burst;
  const maxMemories = positiveNumber(env, 'QUOTA_MAX_MEMORIES', true);
  const maxBytes = positiveNumber(env, 'QUOTA_MAX_BYTES', true);
  const maxTokenLifetimeSeconds = positiveNumber(env, 'TOKEN_MAX_LIFETIME_SECONDS', false);
  return {
    rateLimit: env.RATE_LIMIT === 'off' ? false : { requestsPerSecond, burst },
    storageQuota: env.QUOTA === 'off' ? false : { ...(maxMemories && { maxMemories }), ...(maxBytes && { maxBytes }) },
    ...(maxTokenLifetimeSeconds && { maxTokenLifetimeSeconds }),
    ...(env.METRICS_TOKEN && { metricsToken: env.METRICS_TOKEN }),
  };
}

/** Compares in time that depends only on the lengths, so response times do not reveal the token. */
function sameText(given: string, expected: string): boolean {
  let difference = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) difference |= given.charCodeAt(i % Math.max(given.length, 1)) ^ expected.charCodeAt(i);
  return difference === 0;
}

/** `/metrics` behind `Authorization: Bearer <token>`. */
function withMetricsToken(token: string, handler: (c: Context) => Promise<Response>) {
  return (c: Context): Promise<Response> | Response => {
    if (!sameText(c.req.header('authorization') ?? '', `Bearer ${token}`)) {
      c.header('WWW-Authenticate', 'Bearer');
      return c.json(errorBody('unauthorized', 'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>'), 401);
    }
    return handler(c);
  };
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
    ...(options.formation !== undefined && { formation: options.formation }),
    ...(options.rateLimit !== false && { rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT }),
    ...(options.storageQuota !== false && { storageQuota: options.storageQuota ?? {} }),
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
  if (options.metrics) {
    const { handler, token } = options.metrics;
    app.hono.get('/metrics', token === undefined ? handler : withMetricsToken(token, handler));
  }
  app.hono.get('/', (c) =>
    c.json({ title: app.title, chat: Object.values(REFERENCE_CHAT_ROUTES), runnable: runnable.name }),
  );
  return app;
}
