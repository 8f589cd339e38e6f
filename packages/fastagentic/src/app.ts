import {
  MemoryConfigurationError,
  MemoryValidationError,
  withMetrics,
  type Memory,
  type MemoryProvider,
  type Message,
  type MetricsRecorder,
} from '@fastagentic/memory';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';
import { agentEndpoint, type AgentContext, type AgentEndpoint, type AgentEndpointOptions, type AgentHandler } from './agent-endpoint.js';
import { BackgroundTasks } from './background-tasks.js';
import { createBearerVerifier, type BearerAuthOptions } from './bearer-auth.js';
import { errorBody, errorToResponse } from './error-body.js';
import { registerMemoryRoutes } from './memory-routes.js';
import { parseMessage, parseSessionId, readJsonObject, rejectIdentityFields } from './request-input.js';
import { withTimeBudget } from './with-time-budget.js';

/** Where the app reports what it could not do (memory unavailable, a background write lost). */
export interface AppLogger {
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
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
}

type ExecutionContext = NonNullable<Parameters<Hono['fetch']>[2]>;

/** The execution context on runtimes without one: background writes are tracked by the app itself. */
const TRACKED_ONLY: ExecutionContext = { waitUntil() {}, passThroughOnException() {}, props: {} };

const DEFAULT_MEMORY_BUDGET_MS = 1000;
const DEFAULT_SESSION_TURNS = 10;

const consoleLogger: AppLogger = {
  warn: (message, details) => console.warn(JSON.stringify({ level: 'warn', message, ...details })),
  error: (message, details) => console.error(JSON.stringify({ level: 'error', message, ...details })),
};

function describeError(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { errorType: error.name, error: error.message } : { error: String(error) };
}

/** What a chat response shows of an injected memory: enough to see what was used, no metadata. */
function summarize(memory: Memory): { id: string; memory: string; score?: number } {
  return memory.score === undefined ? { id: memory.id, memory: memory.memory } : { id: memory.id, memory: memory.memory, score: memory.score };
}

interface Recall {
  memories: Memory[];
  /** The strategy's formatted block (its own `format`, within its budget). */
  context: string;
  sessionMemories: Memory[];
  failures: unknown[];
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
  private readonly background: BackgroundTasks;
  private readonly requireUser: MiddlewareHandler<AppEnv>;

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
    const metered = (provider: MemoryProvider) => (options.metrics ? withMetrics(provider, options.metrics) : provider);
    this.memory = metered(options.memory);
    this.sessionMemory = options.sessionMemory && metered(options.sessionMemory);
    // The budget sits inside the metrics wrapper, so a read cut short is counted as a failure.
    this.budgetedMemory = metered(withTimeBudget(options.memory, budgetMs));
    this.budgetedSessionMemory = options.sessionMemory && metered(withTimeBudget(options.sessionMemory, budgetMs));
    this.background = new BackgroundTasks((error) =>
      this.logger.error('background memory write failed', describeError(error)),
    );

    const verify = createBearerVerifier(options.auth);
    this.requireUser = async (c, next) => {
      const user = await verify(c.req.header('authorization'));
      if (!user) {
        c.header('WWW-Authenticate', 'Bearer');
        return c.json(errorBody('unauthorized', 'Send a valid bearer token: Authorization: Bearer <jwt>'), 401);
      }
      c.set('user', user);
      await next();
    };

    this.hono.onError((error, c) => {
      const { status, body } = errorToResponse(error);
      if (status >= 500) this.logger.error('request failed', { path: c.req.path, ...describeError(error) });
      return c.json(body, status);
    });
    this.hono.notFound((c) => c.json(errorBody('not_found', `No route for ${c.req.method} ${c.req.path}`), 404));
    registerMemoryRoutes(this.hono, {
      requireUser: this.requireUser,
      memory: () => this.memory,
      sessionMemory: () => this.sessionMemory,
    });
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

  /** Background writes not yet settled. */
  get pendingWrites(): number {
    return this.background.size;
  }

  /** Waits for every background write started so far: call it on shutdown so no stored exchange is lost. */
  drain(): Promise<void> {
    return this.background.drain();
  }

  private async chat(c: Context<AppEnv>, endpoint: AgentEndpoint): Promise<Response> {
    const user = c.get('user');
    rejectIdentityFields(Object.keys(c.req.query()));
    const body = await readJsonObject(c);
    const message = parseMessage(body.message);
    const sessionId = parseSessionId(c.req.header('x-session-id'), body.sessionId);
    const { options } = endpoint;

    const recall = await this.recall(user.id, message, sessionId, endpoint);
    if (recall.failures.length > 0) {
      this.logger.warn(this.failClosed ? 'memory unavailable, refusing' : 'memory unavailable, answering without it', {
        path: options.path,
        failures: recall.failures.map(describeError),
      });
      if (this.failClosed) {
        return c.json(errorBody('memory_unavailable', 'Memory is unavailable; try again shortly'), 503);
      }
    }

    const memoryContext = [recall.context, this.formatSession(recall.sessionMemories)]
      .filter(Boolean)
      .join('\n\n');
    const signal = c.req.raw.signal;
    const ctx: AgentContext = {
      user,
      memory: this.memory,
      sessionMemory: this.sessionMemory,
      sessionId,
      memories: recall.memories,
      sessionMemories: recall.sessionMemories,
      memoryContext,
      memoryAvailable: recall.failures.length === 0,
      signal,
      run: (messages = [{ role: 'user', content: message }]) =>
        options.runnable.run({
          messages,
          memories: recall.memories,
          sessionMemories: recall.sessionMemories,
          memoryContext,
          signal,
        }),
    };
    const reply = await endpoint.handler(message, ctx);
    if (typeof reply !== 'string') throw new TypeError(`The handler of ${options.path} returned no string`);

    if (options.remember ?? true) this.remember(c, user.id, message, reply, sessionId);
    return c.json({
      reply,
      sessionId: sessionId ?? null,
      memories: recall.memories.map(summarize),
      sessionMemories: recall.sessionMemories.map(summarize),
      memoryAvailable: ctx.memoryAvailable,
    });
  }

  private async recall(userId: string, message: string, sessionId: string | undefined, endpoint: AgentEndpoint): Promise<Recall> {
    const inject = endpoint.options.memory;
    const turns = endpoint.options.sessionTurns ?? DEFAULT_SESSION_TURNS;
    const session = this.budgetedSessionMemory;
    const [longTerm, sessionPage] = await Promise.allSettled([
      inject ? inject(this.budgetedMemory, { userId, query: message }) : Promise.resolve(undefined),
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
      context: longTerm.status === 'fulfilled' ? (longTerm.value?.context ?? '') : '',
      sessionMemories: sessionPage.status === 'fulfilled' ? (sessionPage.value?.memories ?? []) : [],
      failures,
    };
  }

  private formatSession(memories: Memory[]): string {
    if (memories.length === 0) return '';
    // Further lines of a memory are indented so each stays one bullet, as in the core's formatMemories.
    const bullets = memories.map((memory) => `- ${memory.memory.replaceAll('\n', '\n  ')}`);
    return `Earlier in this session:\n${bullets.join('\n')}`;
  }

  /** Stores the exchange after the reply: `waitUntil` on Workers, a tracked promise elsewhere. */
  private remember(c: Context<AppEnv>, userId: string, message: string, reply: string, sessionId: string | undefined) {
    const exchange: Message[] = [
      { role: 'user', content: message },
      { role: 'assistant', content: reply },
    ];
    // A provider's add may do its work synchronously (in-memory): start the writes on a later task
    // so the reply is written first. They are tracked from now on, so drain() and waitUntil wait too.
    const later = new Promise((resolve) => setTimeout(resolve, 0));
    const writes: Promise<unknown>[] = [later.then(() => this.memory.add(userId, exchange, { source: 'chat' }))];
    if (this.sessionMemory && sessionId) {
      const session = this.sessionMemory;
      writes.push(later.then(() => session.add(userId, exchange, { sessionId })));
    }
    const task = Promise.all(writes.map((write) => this.background.track(write)));
    try {
      c.executionCtx.waitUntil(task);
    } catch {
      // Hono throws when `app.hono.fetch` was called without a context: the tracked task covers it.
    }
  }
}
