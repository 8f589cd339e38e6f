import {
  explainInjection,
  formatMemoryContext,
  MemoryConfigurationError,
  MemoryValidationError,
  withMetrics,
  type ExplainedInjection,
  type Explanation,
  offlineFormation,
  type Memory,
  type MemoryFormation,
  type MemoryProvider,
  type Message,
  type MetricsRecorder,
  type RefusalEvent,
  type InjectedWithProfile,
  type UserProfile,
} from '@fastagentic/memory';
import { messagesToMemoryText } from '@fastagentic/memory/provider';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { AppEnv } from './app-env.js';
import { agentEndpoint, type AgentContext, type AgentEndpoint, type AgentEndpointOptions, type AgentHandler } from './agent-endpoint.js';
import { createBearerVerifier, type BearerAuthOptions } from './bearer-auth.js';
import { bodySizeLimit } from './body-size-limit.js';
import { parseChatRequest } from './chat-request.js';
import { collectReply } from './collect-reply.js';
import { errorBody, errorToResponse } from './error-body.js';
import { registerInspectorRoutes } from './inspector-routes.js';
import { LatencyWindow, withLatencyWindow } from './latency-window.js';
import { FormationRunner } from './formation-runner.js';
import { registerMemoryRoutes } from './memory-routes.js';
import { QuotaExceededError } from './quota-exceeded-error.js';
import { registerProfileRoutes } from './profile-routes.js';
import { parseSessionId, readJsonObject, rejectIdentityFields } from './request-input.js';
import { RateLimitedLog } from './rate-limited-log.js';
import { normalizeForRepeat, normalizesTo } from './repeat-text.js';
import type { RunnableInput } from './runnable.js';
import { streamReply } from './stream-reply.js';
import { streamRunnable } from './stream-runnable.js';
import { UserRateLimiter, type UserRateLimitOptions } from './user-rate-limiter.js';
import { memoryBytes, UserStorageQuota, type StorageQuotaOptions } from './user-storage-quota.js';
import { withTimeBudget } from './with-time-budget.js';
import type { OutboxJournal } from './outbox-journal.js';
import { WriteBehindQueue, type Enqueued, type QueueHold, type StoreWriteState, type WriteQueueLogEvent } from './write-behind-queue.js';

/** Where the app reports what it could not do (memory unavailable, a background write lost). */
export interface AppLogger {
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
  /** Optional: per-request detail such as the one-line summary of an explained injection. */
  debug?(message: string, details: Record<string, unknown>): void;
}

export interface AppOptions {
  title: string;
  /** Long-term memory. */
  memory: MemoryProvider;
  /** Session memory: a provider with a TTL, so a session's turns expire while long-term memory stays. */
  sessionMemory?: MemoryProvider;
  /** Receives one event per provider call, e.g. `new PrometheusMetricsRecorder()`. */
  metrics?: MetricsRecorder;
  auth: BearerAuthOptions;
  /** How long the chat path waits for memory reads before answering without them. Default 1000 ms. */
  memoryBudgetMs?: number;
  /** Answer 503 instead of going on without memories when the backend fails or is slow. Default false. */
  failClosed?: boolean;
  /** Default: JSON lines on the console. */
  logger?: AppLogger;
  /**
   * The write-behind queue that stores exchanges after replies. `maxQueued` (default 10 000) and
   * `maxQueuedBytes` (default 32 MiB) bound the writes held across users during an outage; past
   * them a new exchange is not remembered (the reply says `remembered: false`) and is counted.
   * `journal` keeps each promise durable until stored (call `replay()` at start).
   */
  writeQueue?: {
    maxQueued?: number;
    maxQueuedBytes?: number;
    journal?: OutboxJournal;
    backoff?: { baseDelayMs: number; maxDelayMs: number };
  };
  /** Largest request body accepted, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Cross-origin access for browser clients (hono/cors options); off by default. */
  cors?: Parameters<typeof cors>[0];
  /**
   * Serves the memory inspector at `GET /inspector` (its data behind the same bearer auth: a user
   * sees their own memories, an admin any user's). Off by default.
   */
  inspector?: boolean;
  /**
   * A token bucket per user on every authenticated route: past it, 429 with `Retry-After`. Counted
   * in this process (or isolate). Off by default; the reference servers turn it on.
   */
  rateLimit?: UserRateLimitOptions;
  /**
   * A quota per user on long-term memory (memories, and bytes of text and metadata): a write past it
   * gets 507 naming the limit, and a chat from a user at the quota is refused before the model runs.
   * Off by default; the reference servers turn it on.
   */
  storageQuota?: StorageQuotaOptions;
  /**
   * How a turn becomes long-term memory after the reply. Default `offlineFormation()`: the user's
   * statements only (never the agent's text, questions or greetings), a restatement refreshes its
   * memory, an update supersedes the one it replaces, and the user's profile is kept. A model
   * formation comes from `@fastagentic/ai-sdk`; `false` stores each raw exchange as before.
   */
  formation?: MemoryFormation | false;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The user the health probe reads: no real user has memories under it, so the read is minimal. */
const HEALTH_PROBE_USER = 'fastagentic:health-probe';

export interface StoreHealth {
  provider: string;
  /** `down` when the read probe fails, or when the last write failed (a store that refuses writes). */
  state: 'up' | 'down';
  latencyMs: number;
  error?: string;
  /** The last background write's outcome, once there was one. */
  lastWrite?: { outcome: 'stored' | 'failed'; at: string; error?: string };
}

export interface AppHealth {
  status: 'ok' | 'degraded';
  stores: { memory: StoreHealth; sessionMemory?: StoreHealth };
  /** Writes promised and not yet stored: how many, their bytes, the oldest one's age; and the ones refused. */
  writeQueue: { depth: number; bytes: number; oldestAgeMs: number; dropped: number };
}

type ExecutionContext = NonNullable<Parameters<Hono['fetch']>[2]>;

/** The execution context on runtimes without one: background writes are tracked by the app itself. */
const TRACKED_ONLY: ExecutionContext = { waitUntil() {}, passThroughOnException() {}, props: {} };

const DEFAULT_MEMORY_BUDGET_MS = 1000;
const DEFAULT_SESSION_TURNS = 10;

const consoleLogger: AppLogger = {
  warn: (message, details) => console.warn(JSON.stringify({ level: 'warn', message, ...details })),
  error: (message, details) => console.error(JSON.stringify({ level: 'error', message, ...details })),
  // Only requests that ask (X-Memory-Explain) log at this level.
  debug: (message, details) => console.debug(JSON.stringify({ level: 'debug', message, ...details })),
};

function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { errorType: error.name, error: error.message } : { error: String(error) };
}

/** What a chat response shows of an injected memory: enough to see what was used, no metadata. */
function summarize(memory: Memory): { id: string; memory: string; score?: number } {
  return memory.score === undefined ? { id: memory.id, memory: memory.memory } : { id: memory.id, memory: memory.memory, score: memory.score };
}

const QUEUE_LOG_LINES = {
  retrying: 'memory write not confirmed, retrying',
  failed: 'memory write failed for good',
  dropped: 'memory write not remembered',
  journal: 'the write-behind journal failed',
} as const;

function describeQueueEvent(event: WriteQueueLogEvent): Record<string, unknown> {
  if (event.kind === 'journal') return { operation: event.operation, ...describeError(event.error) };
  const base = { provider: event.provider };
  if (event.kind === 'dropped') return { ...base, reason: event.reason, ...(event.error === undefined ? {} : describeError(event.error)) };
  if (event.kind === 'failed') return { ...base, ...describeError(event.error) };
  // "unknown": no answer came back (timeout, lost connection): the write may have landed, and the
  // retry carries the same idempotency key.
  return { ...base, outcome: event.outcome, attempt: event.attempt, ...describeError(event.error) };
}

function describeWrite(write: StoreWriteState): NonNullable<StoreHealth['lastWrite']> {
  const at = new Date(write.at).toISOString();
  return write.error === undefined
    ? { outcome: write.outcome, at }
    : { outcome: write.outcome, at, error: describeError(write.error).error as string };
}

function rememberMode(remember: AgentEndpointOptions['remember']): 'exchange' | 'user' | 'nothing' {
  if (remember === undefined || remember === true) return 'exchange';
  if (remember === false) return 'nothing';
  return remember;
}

interface Recall {
  memories: Memory[];
  sessionMemories: Memory[];
  failures: unknown[];
  /** The user's profile and its block, when the endpoint's strategy injects it (`injectWithProfile`). */
  profile?: UserProfile;
  profileBlock?: string;
  /** Why the other candidates were not injected, when the request asked (`X-Memory-Explain: 1`). */
  explanation?: Explanation;
}

/** The explanation as a chat response shows it: ids, text, scores and reasons, no metadata. */
function explainBody(explanation: Explanation) {
  return {
    provider: explanation.provider,
    durationMs: explanation.durationMs,
    candidatesExamined: explanation.candidatesExamined,
    injected: explanation.included.map(summarize),
    excluded: explanation.excluded.map(({ memory, score, reason }) => ({
      ...summarize(memory),
      ...(score === undefined ? {} : { score }),
      reason,
    })),
  };
}

/** `injected 2 of 7 candidates (redis, 3.1 ms); excluded: 4 below-min-relevance, 1 filtered-out`. */
function explainSummary(explanation: Explanation): string {
  const counts = new Map<string, number>();
  for (const { reason } of explanation.excluded) counts.set(reason.kind, (counts.get(reason.kind) ?? 0) + 1);
  const excluded = [...counts].map(([kind, count]) => `${count} ${kind}`).join(', ') || 'none';
  return `injected ${explanation.included.length} of ${explanation.candidatesExamined} candidates (${explanation.provider}, ${explanation.durationMs} ms); excluded: ${excluded}`;
}

/**
 * The spec's `App`: agent endpoints with memory, the manual memory routes and GDPR forget, on
 * Hono so `app.fetch` runs unchanged on Node and on Workers.
 */
export class App {
  readonly title: string;
  /** The Hono app: add your own routes to it. */
  readonly hono = new Hono<AppEnv>();
  /** Long-term memory, metered when `metrics` was given. */
  readonly memory: MemoryProvider;
  readonly sessionMemory: MemoryProvider | undefined;

  private readonly budgetedMemory: MemoryProvider;
  private readonly budgetedSessionMemory: MemoryProvider | undefined;
  private readonly failClosed: boolean;
  private readonly logger: AppLogger;
  private readonly queue: WriteBehindQueue;
  private readonly requireUser: MiddlewareHandler<AppEnv>;
  private readonly chatLog: RateLimitedLog;
  /** Every collapsing log, flushed on shutdown so the last window's count is written. */
  private readonly logs: RateLimitedLog[] = [];
  private readonly rateLimiter: UserRateLimiter | undefined;
  private readonly quota: UserStorageQuota | undefined;
  private readonly recordRefusal: (event: RefusalEvent) => void;
  /** Forms long-term memory after each reply; undefined with `formation: false`. */
  private readonly formation: FormationRunner | undefined;

  constructor(options: AppOptions) {
    if (typeof options.title !== 'string' || options.title.length === 0) {
      throw new MemoryConfigurationError('title', 'must be a non-empty string');
    }
    if (!options.memory) throw new MemoryConfigurationError('memory', 'a long-term memory provider is required');
    const budgetMs = options.memoryBudgetMs ?? DEFAULT_MEMORY_BUDGET_MS;
    if (!(Number.isFinite(budgetMs) && budgetMs > 0)) {
      throw new MemoryConfigurationError('memoryBudgetMs', 'must be a positive number of milliseconds');
    }
    this.title = options.title;
    this.failClosed = options.failClosed ?? false;
    this.logger = options.logger ?? consoleLogger;
    // The inspector shows recent latencies: a window in this process, fed beside the app's recorder.
    const latency = options.inspector ? new LatencyWindow() : undefined;
    const recorder = latency ? withLatencyWindow(latency, options.metrics) : options.metrics;
    const metered = (provider: MemoryProvider) => (recorder ? withMetrics(provider, recorder) : provider);
    this.memory = metered(options.memory);
    this.sessionMemory = options.sessionMemory && metered(options.sessionMemory);
    // The budget sits inside the metrics wrapper, so a read cut short is counted as a failure.
    this.budgetedMemory = metered(withTimeBudget(options.memory, budgetMs));
    this.budgetedSessionMemory = options.sessionMemory && metered(withTimeBudget(options.sessionMemory, budgetMs));
    const queueLog = new RateLimitedLog((key, details) =>
      key === 'retrying'
        ? this.logger.warn(QUEUE_LOG_LINES.retrying, details)
        : this.logger.error(QUEUE_LOG_LINES[key as Exclude<WriteQueueLogEvent['kind'], 'retrying'>], details),
    );
    // One line per chat would be thousands during an outage: the key is the message.
    this.chatLog = new RateLimitedLog((message, details) => this.logger.warn(message, details));
    this.logs.push(queueLog, this.chatLog);
    const recordQueue = recorder?.recordWriteQueue?.bind(recorder);
    this.recordRefusal = recorder?.recordRefusal?.bind(recorder) ?? (() => {});
    this.rateLimiter = options.rateLimit && new UserRateLimiter(options.rateLimit);
    this.quota = options.storageQuota && new UserStorageQuota(this.memory, options.storageQuota);
    this.queue = new WriteBehindQueue({
      ...(options.writeQueue?.maxQueued === undefined ? {} : { maxQueued: options.writeQueue.maxQueued }),
      ...(options.writeQueue?.maxQueuedBytes === undefined ? {} : { maxQueuedBytes: options.writeQueue.maxQueuedBytes }),
      ...(options.writeQueue?.journal === undefined ? {} : { journal: options.writeQueue.journal }),
      ...(options.writeQueue?.backoff === undefined ? {} : { backoff: options.writeQueue.backoff }),
      onEvent: (event) => queueLog.log(event.kind, describeQueueEvent(event)),
      ...(recordQueue ? { record: recordQueue } : {}),
    });
    if (options.formation !== false) {
      this.formation = new FormationRunner({
        formation: options.formation ?? offlineFormation(),
        memory: this.memory,
        // Added memories go through the queue (journaled, retried through an outage); a refusal is logged there.
        add: async (userId, { text, metadata }, promisedAt) => {
          const messages: Message[] = [{ role: 'user', content: text }];
          await this.queue.enqueue({ userId, store: 'memory', provider: this.memory, messages, metadata, promisedAt }).stored;
        },
        onFailure: (error, details) => this.logger.error('memory formation failed', { ...details, ...describeError(error) }),
      });
    }

    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) {
      throw new MemoryConfigurationError('maxBodyBytes', 'must be a positive integer');
    }
    if (options.cors) this.hono.use('*', cors(options.cors));
    this.hono.use(
      '*',
      methodNotAllowed({
        app: this.hono,
        onMethodNotAllowed: (c, methods) =>
          c.json(errorBody('method_not_allowed', `${c.req.method} is not allowed here; use ${methods.join(', ')}`), 405, {
            Allow: methods.join(', '),
          }),
      }),
    );
    this.hono.use(
      '*',
      bodySizeLimit({
        maxSize: maxBodyBytes,
        onError: (c) => c.json(errorBody('payload_too_large', `The body is larger than ${maxBodyBytes} bytes`, 'body'), 413),
      }),
    );
    const jwksLog = new RateLimitedLog((_key, details) => this.logger.error('fetching the JWKS failed', details));
    this.logs.push(jwksLog);
    const verify = createBearerVerifier({
      onJwksError: (error) => jwksLog.log('jwks', describeError(error)),
      ...options.auth,
    });
    this.requireUser = async (c, next) => {
      // These routes answer with one user's memories: no shared cache may keep a copy.
      c.header('Cache-Control', 'no-store');
      const user = await verify(c.req.header('authorization'));
      if (!user) {
        c.header('WWW-Authenticate', 'Bearer');
        return c.json(errorBody('unauthorized', 'Send a valid bearer token: Authorization: Bearer <jwt>'), 401);
      }
      const waitMs = this.rateLimiter?.take(user.id) ?? 0;
      if (waitMs > 0) {
        this.recordRefusal({ reason: 'rate_limited', limit: 'requests' });
        const { burst, requestsPerSecond } = this.rateLimiter!;
        c.header('Retry-After', String(Math.ceil(waitMs / 1000)));
        return c.json(
          errorBody('rate_limited', `Too many requests: at most ${burst} at once and ${requestsPerSecond} a second per user`),
          429,
        );
      }
      c.set('user', user);
      await next();
    };

    this.hono.onError((error, c) => {
      const { status, body } = errorToResponse(error);
      // A quota refusal is the client's to act on (507), counted rather than logged as a failure.
      if (error instanceof QuotaExceededError) this.recordRefusal({ reason: 'quota_exceeded', limit: error.limit });
      else if (status >= 500) this.logger.error('request failed', { path: c.req.path, ...describeError(error) });
      return c.json(body, status);
    });
    this.hono.get('/health', async (c) => {
      const health = await this.health();
      return c.json(health, health.status === 'ok' ? 200 : 503);
    });
    this.hono.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));
    // An erased user is counted again on their next write.
    const forgetQueued = (userId: string) => {
      this.quota?.forget(userId);
      return this.forgetPending(userId);
    };
    registerMemoryRoutes(this.hono, {
      requireUser: this.requireUser,
      memory: () => this.memory,
      sessionMemory: () => this.sessionMemory,
      holdQueued: (userId) => this.holdPending(userId),
      quota: this.quota,
    });
    registerProfileRoutes(this.hono, { requireUser: this.requireUser, memory: () => this.memory });
    if (latency) {
      registerInspectorRoutes(this.hono, {
        title: this.title,
        requireUser: this.requireUser,
        memory: this.memory,
        sessionMemory: this.sessionMemory,
        latency,
        forgetQueued,
      });
    }
  }

  /**
   * Handles a request; pass Workers' `env` and `ctx` so writes after the reply use `waitUntil`.
   * Elsewhere (Node) writes are tracked by the app and awaited by `drain()`.
   */
  fetch = (request: Request, env?: unknown, executionCtx?: ExecutionContext): Response | Promise<Response> =>
    this.hono.fetch(request, env, executionCtx ?? TRACKED_ONLY);

  /** Registers a chat endpoint: `app.agentEndpoint({ path, runnable, memory: injectMemory({...}) }, handler)`. */
  agentEndpoint(options: AgentEndpointOptions, handler?: AgentHandler): this {
    return this.add(agentEndpoint(options, handler));
  }

  /** Mounts an endpoint made with `agentEndpoint(...)`. */
  add(endpoint: AgentEndpoint): this {
    const { path } = endpoint.options;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      throw new MemoryConfigurationError('path', 'must start with "/"');
    }
    const turns = endpoint.options.sessionTurns ?? DEFAULT_SESSION_TURNS;
    if (!(Number.isInteger(turns) && turns >= 0 && turns <= 1000)) {
      throw new MemoryConfigurationError('sessionTurns', 'must be an integer between 0 and 1000');
    }
    this.hono.post(path, this.requireUser, (c) => this.chat(c, endpoint));
    return this;
  }

  /**
   * Each store's state, probed with one small read within the memory budget, and the write-behind
   * queue. Served unauthenticated at `GET /health` (it names providers, never users or memories).
   */
  async health(): Promise<AppHealth> {
    const probe = async (provider: MemoryProvider, store: string): Promise<StoreHealth> => {
      const started = Date.now();
      const written = this.queue.lastWrite(store);
      const lastWrite = written && describeWrite(written);
      try {
        await provider.getAll(HEALTH_PROBE_USER, { limit: 1 });
        // A store that answers reads but refuses writes (disk full, read-only) is not up.
        const refusing = written?.outcome === 'failed';
        return {
          provider: provider.provider,
          state: refusing ? 'down' : 'up',
          latencyMs: Date.now() - started,
          ...(refusing ? { error: lastWrite!.error } : {}),
          ...(lastWrite ? { lastWrite } : {}),
        };
      } catch (error) {
        return {
          provider: provider.provider,
          state: 'down',
          latencyMs: Date.now() - started,
          error: describeError(error).error as string,
          ...(lastWrite ? { lastWrite } : {}),
        };
      }
    };
    const [memory, session] = await Promise.all([
      probe(this.budgetedMemory, 'memory'),
      this.budgetedSessionMemory ? probe(this.budgetedSessionMemory, 'sessionMemory') : undefined,
    ]);
    const stores = session ? { memory, sessionMemory: session } : { memory };
    const up = Object.values(stores).every((store) => store.state === 'up');
    const { queue } = this;
    return {
      status: up ? 'ok' : 'degraded',
      stores,
      writeQueue: { depth: queue.depth, bytes: queue.bytes, oldestAgeMs: queue.oldestAgeMs, dropped: queue.dropped },
    };
  }

  /** Exchanges promised by replies and not yet stored (waiting or in flight). */
  get pendingWrites(): number {
    return this.queue.depth;
  }

  /** Exchanges not remembered because the write-behind queue was full or its journal failed. */
  get droppedWrites(): number {
    return this.queue.dropped;
  }

  /**
   * Waits until every write queued so far is stored (retrying through an outage), or failed for
   * good: call it on shutdown so no promised exchange is lost.
   */
  async drain(): Promise<void> {
    await this.formation?.drain();
    await this.queue.drain();
    this.flushLogs();
  }

  /**
   * Drains for at most `timeoutMs`, then resolves to the writes still queued (0: all stored). With a
   * journal, those are replayed by the next start; without one they are lost with the process.
   */
  async drainFor(timeoutMs: number): Promise<number> {
    const started = Date.now();
    if (this.formation) {
      // Formations still running at the deadline are not journaled: their turns are lost.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([this.formation.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
    }
    const left = await this.queue.drainFor(Math.max(0, timeoutMs - (Date.now() - started)));
    this.flushLogs();
    return left;
  }

  /** Writes the counts of collapsed log lines now, rather than at the end of their window. */
  flushLogs(): void {
    for (const log of this.logs) log.flush();
  }

  /**
   * Queues what an earlier process left in `writeQueue.journal` (same keys, in order per user).
   * Call it once before serving. Resolves to the writes queued.
   */
  replay(): Promise<number> {
    return this.queue.replay((store) => (store === 'memory' ? this.memory : store === 'sessionMemory' ? this.sessionMemory : undefined));
  }

  /** Stops the user's formations and drops their queued writes, so nothing lands after a forget. */
  private async forgetPending(userId: string): Promise<number> {
    // The queue first: a formation waiting on a queued write is released by it.
    const dropped = await this.queue.forget(userId);
    await this.formation?.forget(userId);
    return dropped + (await this.queue.forget(userId));
  }

  /**
   * Pauses the user's queued writes for a forget. Released, everything stays (queue and formations:
   * the forget failed); discarded once the erase succeeded, the queued writes go, then the user's
   * formations are stopped and what they queued meanwhile goes too, and the quota counts the user again.
   */
  private async holdPending(userId: string): Promise<QueueHold> {
    const held = await this.queue.hold(userId);
    return {
      release: held.release,
      discard: async () => {
        this.quota?.forget(userId);
        // The queue first: a formation waiting on a queued write is released by it.
        const dropped = await held.discard();
        await this.formation?.forget(userId);
        return dropped + (await this.queue.forget(userId));
      },
    };
  }

  private async chat(c: Context<AppEnv>, endpoint: AgentEndpoint): Promise<Response> {
    const user = c.get('user');
    rejectIdentityFields(Object.keys(c.req.query()));
    const body = await readJsonObject(c);
    const { message, format } = parseChatRequest(c.req.header('accept'), body);
    const sessionId = parseSessionId(c.req.header('x-session-id'), body.sessionId);
    const { options } = endpoint;

    const remember = rememberMode(options.remember);
    if (this.quota && remember !== 'nothing') await this.ensureRoom(user.id);
    const explain = c.req.header('x-memory-explain') === '1';
    const recall = await this.recall(user.id, message, sessionId, endpoint, explain);
    if (recall.explanation) {
      this.logger.debug?.(`memory explain: ${explainSummary(recall.explanation)}`, { path: options.path });
    }
    if (recall.failures.length > 0) {
      this.chatLog.log(this.failClosed ? 'memory unavailable, refusing' : 'memory unavailable, answering without it', {
        path: options.path,
        failures: recall.failures.map(describeError),
      });
      if (this.failClosed) {
        return c.json(errorBody('memory_unavailable', 'Memory is unavailable; try again shortly'), 503);
      }
    }

    // The core's one framed block: stored text reaches the model as data about the user.
    const memoryContext = formatMemoryContext({
      profile: recall.profileBlock,
      memories: recall.memories,
      format: options.memory?.options.format,
      sessionMemories: recall.sessionMemories,
    });
    // The client's disconnect signal, made on first read: on Node it costs an AbortController per
    // request, which a runnable that never looks at it should not pay for.
    const request = c.req.raw;
    const runnableInput = (messages: Message[]): RunnableInput => ({
      messages,
      memories: recall.memories,
      sessionMemories: recall.sessionMemories,
      memoryContext,
      ...(recall.profile ? { profile: recall.profile } : {}),
      get signal() {
        return request.signal;
      },
    });
    const ctx: AgentContext = {
      user,
      memory: this.memory,
      sessionMemory: this.sessionMemory,
      sessionId,
      memories: recall.memories,
      sessionMemories: recall.sessionMemories,
      memoryContext,
      memoryAvailable: recall.failures.length === 0,
      get signal() {
        return request.signal;
      },
      streaming: format !== 'json',
      run: (messages = [{ role: 'user', content: message }]) => options.runnable.run(runnableInput(messages)),
      stream: (messages = [{ role: 'user', content: message }]) => streamRunnable(options.runnable, runnableInput(messages)),
    };
    const handled = await endpoint.handler(message, ctx);
    const injected = {
      sessionId: sessionId ?? null,
      memories: recall.memories.map(summarize),
      sessionMemories: recall.sessionMemories.map(summarize),
      memoryAvailable: ctx.memoryAvailable,
      ...(recall.explanation ? { explain: explainBody(recall.explanation) } : {}),
    };
    if (format !== 'json') {
      return streamReply({
        format,
        reply: handled,
        metadata: injected,
        onComplete: (reply) => (remember === 'nothing' ? false : this.remember(c, user.id, remember, message, reply, sessionId, recall)),
        onError: (error) => this.logger.error('streamed reply failed', { path: options.path, ...describeError(error) }),
      });
    }
    const reply = await collectReply(handled, options.path);

    const remembered = remember !== 'nothing' && (await this.remember(c, user.id, remember, message, reply, sessionId, recall));
    return c.json({ reply, ...injected, remembered });
  }

  private async recall(
    userId: string,
    message: string,
    sessionId: string | undefined,
    endpoint: AgentEndpoint,
    explain: boolean,
  ): Promise<Recall> {
    const inject = endpoint.options.memory;
    const turns = endpoint.options.sessionTurns ?? DEFAULT_SESSION_TURNS;
    const session = this.budgetedSessionMemory;
    const [longTerm, sessionPage] = await Promise.allSettled([
      !inject
        ? Promise.resolve(undefined)
        : explain
          ? explainInjection(inject, this.budgetedMemory, { userId, query: message })
          : inject(this.budgetedMemory, { userId, query: message }),
      session && sessionId && turns > 0
        ? session.getAll(userId, { limit: turns, filters: { sessionId } })
        : Promise.resolve(undefined),
    ]);
    const failures: unknown[] = [];
    for (const result of [longTerm, sessionPage]) {
      if (result.status === 'rejected') {
        // Bad input is the caller's to fix, not a backend outage to paper over.
        if (MemoryValidationError.isInstance(result.reason)) throw result.reason;
        failures.push(result.reason);
      }
    }
    return {
      memories: longTerm.status === 'fulfilled' ? (longTerm.value?.memories ?? []) : [],
      sessionMemories: sessionPage.status === 'fulfilled' ? (sessionPage.value?.memories ?? []) : [],
      failures,
      ...(longTerm.status === 'fulfilled' && longTerm.value && 'profile' in longTerm.value
        ? { profile: longTerm.value.profile as UserProfile, profileBlock: (longTerm.value as InjectedWithProfile).profileBlock }
        : {}),
      ...(longTerm.status === 'fulfilled' && longTerm.value && 'explain' in longTerm.value
        ? { explanation: (longTerm.value as ExplainedInjection).explain }
        : {}),
    };
  }

  /**
   * Refuses a chat whose exchange could not be stored because the user is at the quota. The exchange
   * itself is then counted without asking (it may go past the quota by one). A count the store
   * cannot answer lets the chat through, as a failed recall does.
   */
  private async ensureRoom(userId: string): Promise<void> {
    try {
      await this.quota!.ensureRoom(userId);
    } catch (error) {
      if (error instanceof QuotaExceededError) throw error;
    }
  }

  /**
   * Queues what the reply promised to remember: `waitUntil` keeps a Worker alive for it, the app
   * itself tracks it on Node. Text that repeats a memory the user already has (as recalled for
   * this turn) is not stored again, so recalling a fact does not multiply it. Resolves once the
   * promise is journaled: false when the queue refused it, which the reply then says.
   */
  private async remember(
    c: Context<AppEnv>,
    userId: string,
    mode: 'exchange' | 'user',
    message: string,
    reply: string,
    sessionId: string | undefined,
    recall: Recall,
  ): Promise<boolean> {
    const messages: Message[] =
      mode === 'exchange'
        ? [
            { role: 'user', content: message },
            { role: 'assistant', content: reply },
          ]
        : [{ role: 'user', content: message }];
    const stored = messagesToMemoryText(messages);
    const text = normalizeForRepeat(stored);
    const writes: Enqueued[] = [];
    if (this.formation) {
      const turn: Message[] = [{ role: 'user', content: message }];
      const metadata = { source: 'chat' };
      // Formation queues its memories after the reply: promised only while the queue has room for the turn.
      if (this.queue.accepts({ userId, store: 'memory', provider: this.memory, messages: turn, metadata })) {
        // At most the user's text is kept; counted as such until the quota next recounts the store.
        this.quota?.added(userId, memoryBytes(message, metadata));
        const formed = this.formation.form({
          userId,
          messages: turn,
          injected: recall.memories,
          source: 'chat',
          ...(sessionId ? { sessionId } : {}),
        });
        writes.push({ remembered: Promise.resolve(true), stored: formed });
      } else {
        writes.push({ remembered: Promise.resolve(false), stored: Promise.resolve() });
      }
    } else if (!recall.memories.some((memory) => normalizesTo(memory.memory, text))) {
      const metadata = { source: 'chat' };
      this.quota?.added(userId, memoryBytes(stored, metadata));
      writes.push(this.queue.enqueue({ userId, store: 'memory', provider: this.memory, messages, metadata }));
    }
    if (this.sessionMemory && sessionId && !recall.sessionMemories.some((memory) => normalizesTo(memory.memory, text))) {
      writes.push(this.queue.enqueue({ userId, store: 'sessionMemory', provider: this.sessionMemory, messages, metadata: { sessionId } }));
    }
    if (writes.length === 0) return true;
    try {
      c.executionCtx.waitUntil(Promise.all(writes.map((write) => write.stored)));
    } catch {
      // Hono throws when `app.hono.fetch` was called without a context: the queue tracks the writes.
    }
    const remembered = await Promise.all(writes.map((write) => write.remembered));
    return remembered.every(Boolean);
  }
}
