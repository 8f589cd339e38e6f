import { MemoryConfigurationError } from '@fastagentic/memory';
import type { AddressInfo } from 'node:net';
import { createReferenceAgent, referenceLimitsFrom } from '@fastagentic/http-contract/reference-agent';
import { metricsHandler, PrometheusMetricsRecorder } from '@fastagentic/prometheus';
import { serve } from '@hono/node-server';
import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, OfflineRunnable, OpenAICompatibleRunnable, type App, type AppLogger, type BearerAuthOptions, type Runnable } from 'fastagentic';
import { join } from 'node:path';
import { connectionLimitsFrom } from './connection-limits.js';
import { dataFolderFrom, demoSecretIn } from './data-folder.js';
import { demoTokenIn } from './demo-token.js';
import { LibsqlOutboxJournal } from './libsql-outbox-journal.js';
import { selectProviders } from './select-providers.js';

export interface StartNodeServerOptions {
  /** Environment variables (see the README); default `process.env`. */
  env?: Record<string, string | undefined>;
  logger?: AppLogger;
}

export interface RunningNodeServer {
  app: App;
  url: string;
  /** The providers and runnable in use, for the startup log. */
  description: string[];
  /**
   * Set when no JWT_SECRET or JWKS_URL was given: the demo secret and a token for `demo-user`,
   * both kept in the data folder, so every start prints the same token.
   */
  demo?: { secret: string; userId: string; token: string };
  /** Stops accepting requests, then waits for every background write to finish. */
  close(): Promise<void>;
  /** How long `shutdown` drains by default: SHUTDOWN_DRAIN_MS, default 10 s. */
  drainMs: number;
  /**
   * Stops accepting requests and drains for at most `drainMs`; resolves to the writes left, which
   * stay in the outbox journal for the next start. Closes the stores only when nothing is left.
   */
  shutdown(drainMs?: number): Promise<number>;
}

const DEMO_USER = 'demo-user';

function runnableFrom(env: Record<string, string | undefined>): Runnable {
  if (!env.CHAT_API_BASE_URL) return new OfflineRunnable();
  return new OpenAICompatibleRunnable({
    baseUrl: env.CHAT_API_BASE_URL,
    model: env.CHAT_MODEL ?? 'gpt-4o-mini',
    apiKey: env.CHAT_API_KEY,
  });
}

/** The App's options as environment variables, for configuration errors a user can act on. */
const OPTION_VARIABLES: Record<string, string> = {
  'auth.secret': 'JWT_SECRET',
  auth: 'JWT_SECRET',
  'auth.jwks': 'JWKS_URL',
  memoryBudgetMs: 'MEMORY_BUDGET_MS',
};

function withVariableNames<T>(env: Record<string, string | undefined>, build: () => T): T {
  try {
    return build();
  } catch (error) {
    const variable = MemoryConfigurationError.isInstance(error) ? OPTION_VARIABLES[error.option] : undefined;
    if (variable === undefined) throw error;
    const named = variable === 'JWT_SECRET' && env.JWKS_URL ? 'JWKS_URL' : variable;
    throw new MemoryConfigurationError(named, (error as Error).message.replace(/^Invalid configuration "[^"]*": /, ''), { cause: error });
  }
}

function positiveIntegerFrom(env: Record<string, string | undefined>, variable: string): number | undefined {
  const text = env[variable];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!(Number.isInteger(value) && value > 0)) throw new MemoryConfigurationError(variable, 'must be a positive integer');
  return value;
}

const journalFile = (env: Record<string, string | undefined>) => join(dataFolderFrom(env), 'outbox.db');

/**
 * The outbox journal: a libSQL file in the data folder (FASTAGENTIC_DATA_DIR) unless
 * FASTAGENTIC_OUTBOX=memory (queued writes then live in process memory only).
 */
async function outboxJournalFrom(env: Record<string, string | undefined>): Promise<LibsqlOutboxJournal | undefined> {
  const kind = env.FASTAGENTIC_OUTBOX ?? 'file';
  if (kind === 'memory') return undefined;
  if (kind !== 'file') throw new MemoryConfigurationError('FASTAGENTIC_OUTBOX', 'must be "file" (default) or "memory"');
  return LibsqlOutboxJournal.open(journalFile(env));
}

/** Serves the reference agent on Node (127.0.0.1:8787 unless HOST / PORT say otherwise). */
export async function startNodeServer(options: StartNodeServerOptions = {}): Promise<RunningNodeServer> {
  const env = options.env ?? process.env;
  // Read before any store is opened: a bad value stops the server with nothing to close.
  const limits = referenceLimitsFrom(env);
  const connections = connectionLimitsFrom(env);
  const defaultDrainMs = positiveIntegerFrom(env, 'SHUTDOWN_DRAIN_MS') ?? 10_000;
  const maxQueuedBytes = positiveIntegerFrom(env, 'WRITE_QUEUE_MAX_BYTES');
  const formationOff = env.MEMORY_FORMATION === 'off';
  if (!formationOff && env.MEMORY_FORMATION !== undefined && env.MEMORY_FORMATION !== 'on') {
    throw new MemoryConfigurationError('MEMORY_FORMATION', 'must be "on" (default) or "off"');
  }
  const claims = { userIdField: env.USER_ID_FIELD, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, maxTokenLifetimeSeconds: limits.maxTokenLifetimeSeconds };
  let auth: BearerAuthOptions;
  let demo: RunningNodeServer['demo'];
  if (env.JWKS_URL) {
    auth = { jwks: { url: env.JWKS_URL }, ...claims };
  } else {
    const secret = env.JWT_SECRET ?? demoSecretIn(dataFolderFrom(env));
    auth = { secret, ...claims };
    if (!env.JWT_SECRET) {
      const lifetime = limits.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
      const token = await demoTokenIn(dataFolderFrom(env), secret, DEMO_USER, lifetime);
      demo = { secret, userId: DEMO_USER, token };
    }
  }
  // Opened once the demo secret is known to be sound: a refused secret leaves nothing open.
  const providers = selectProviders(env);
  const runnable = runnableFrom(env);
  let journal: LibsqlOutboxJournal | undefined;
  try {
    journal = await outboxJournalFrom(env);
  } catch (error) {
    await providers.close();
    throw error;
  }
  const recorder = new PrometheusMetricsRecorder();
  const app = withVariableNames(env, () => createReferenceAgent({
    memory: providers.memory,
    sessionMemory: providers.sessionMemory,
    auth,
    runnable,
    metrics: { recorder, handler: metricsHandler(recorder.registry), token: limits.metricsToken },
    rateLimit: limits.rateLimit,
    storageQuota: limits.storageQuota,
    memoryBudgetMs: env.MEMORY_BUDGET_MS ? Number(env.MEMORY_BUDGET_MS) : undefined,
    failClosed: env.MEMORY_FAIL_CLOSED === 'true',
    logger: options.logger,
    inspector: env.INSPECTOR === 'true',
    writeQueue: { journal, maxQueuedBytes },
    ...(formationOff && { formation: false as const }),
  }));
  // What an earlier run promised and did not store goes first, before any new chat is taken.
  const replayed = await app.replay();

  const hostname = env.HOST ?? '127.0.0.1';
  const port = Number(env.PORT ?? 8787);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
    await providers.close();
    await journal?.close();
    throw new MemoryConfigurationError('PORT', 'must be a port number from 0 to 65535');
  }
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const started = serve({ fetch: app.fetch, hostname, port, serverOptions: connections.serverOptions }, () => resolve(started));
    started.maxConnections = connections.maxConnections;
    started.once('error', (error: NodeJS.ErrnoException) => {
      void providers.close();
      void journal?.close();
      reject(
        error.code === 'EADDRINUSE'
          ? new MemoryConfigurationError('PORT', `${hostname}:${port} is already in use: stop the other server or set PORT to a free port`)
          : error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND'
            ? new MemoryConfigurationError('HOST', `cannot listen on ${hostname}: ${error.message}`)
            : error,
      );
    });
  });
  const url = `http://${hostname}:${(server.address() as AddressInfo).port}`;
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
  return {
    app,
    url,
    description: [
      ...providers.description,
      `runnable: ${runnable.name}`,
      `auth: ${env.JWKS_URL ? `JWKS ${env.JWKS_URL}` : 'HS256 secret'}`,
      journal ? `outbox journal: ${journalFile(env)}${replayed > 0 ? ` (replaying ${replayed} write(s) left by the last run)` : ''}` : 'outbox journal: none (queued writes live in process memory)',
      ...(env.INSPECTOR === 'true' ? [`inspector: ${url}/inspector (sign in with a token)`] : []),
    ],
    demo,
    close: async () => {
      await stopListening();
      await app.drain();
      await providers.close();
      await journal?.close();
    },
    drainMs: defaultDrainMs,
    shutdown: async (drainMs = defaultDrainMs) => {
      await stopListening();
      const left = await app.drainFor(drainMs);
      if (left === 0) {
        await providers.close();
        await journal?.close();
      }
      return left;
    },
  };
}
