import { STORED_FIELDS, withEncryption } from '@fastagentic/encryption';
import { embedderFromEnvironment, MemoryConfigurationError, type Embedder, type MemoryProvider } from '@fastagentic/memory';
import { Mem0Provider } from '@fastagentic/mem0';
import { postgresMemoryFromEnv } from './postgres-memory.js';
import { RedisProvider } from '@fastagentic/redis';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { ZepProvider } from '@fastagentic/zep';
import { dataFolderFrom, ownerOnlyDatabase } from './data-folder.js';

export interface SelectedProviders {
  memory: MemoryProvider;
  sessionMemory: MemoryProvider;
  /** One line per store for the startup log, e.g. `long-term: in-memory`. */
  description: string[];
  /** Closes the clients the selection opened (Redis connections). */
  close(): Promise<void>;
}

type Env = Record<string, string | undefined>;

function sessionTtlFrom(env: Env): number {
  const ttl = Number(env.SESSION_TTL_SECONDS ?? 3600);
  if (!(Number.isFinite(ttl) && ttl > 0)) {
    throw new MemoryConfigurationError('SESSION_TTL_SECONDS', 'must be a positive number of seconds');
  }
  return ttl;
}

/** Settings that each name one database for the stores; at most one may be set. */
const DATABASE_SETTINGS = ['REDIS_URL', 'LIBSQL_URL'] as const;

/**
 * Picks the memory backends from the environment (the precedence is in the README):
 * - long-term: Mem0 (MEM0_API_KEY) or Zep (ZEP_API_KEY), else PostgreSQL (DATABASE_URL or
 *   POSTGRES_URL), else the one database named (REDIS_URL, LIBSQL_URL), else a libSQL file in the
 *   data folder (FASTAGENTIC_DATA_DIR);
 * - session: the named database with a TTL, else the same libSQL file (own tables) with a TTL;
 * - FASTAGENTIC_ENCRYPTION_KEY encrypts both before they reach the backend.
 * Conflicting settings stop the server with a line naming them rather than silently picking one.
 */
/**
 * Builds a store from the variable the user set: a provider's configuration error names its own
 * option (`url`, `apiKey`), which the user never wrote; it is renamed after the variable.
 */
function fromVariable<T>(variable: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (!MemoryConfigurationError.isInstance(error) || /^[A-Z][A-Z0-9_]+$/.test(error.option)) throw error;
    throw new MemoryConfigurationError(variable, error.message.replace(/^Invalid configuration "[^"]*": /, ''), { cause: error });
  }
}

export function selectProviders(env: Env): SelectedProviders {
  const sessionTtlSeconds = sessionTtlFrom(env);
  const closers: Array<() => Promise<void>> = [];
  const description: string[] = [];

  if (env.MEM0_API_KEY && env.ZEP_API_KEY) {
    throw new MemoryConfigurationError('ZEP_API_KEY', 'MEM0_API_KEY is set too: choose one long-term memory service');
  }
  const databases = DATABASE_SETTINGS.filter((name) => env[name]);
  if (databases.length > 1) {
    throw new MemoryConfigurationError(databases[1]!, `${databases.join(' and ')} are both set: choose one database for the stores`);
  }

  // Encrypted, the session filter arrives as the blind-index token field: that is the one to index.
  const sessionField = env.FASTAGENTIC_ENCRYPTION_KEY ? `${STORED_FIELDS.index}sessionId` : 'sessionId';
  const redis = (prefix: string, ttlSeconds?: number, embedder?: Embedder) => {
    const provider = fromVariable('REDIS_URL', () => new RedisProvider({ url: env.REDIS_URL!, prefix, ttlSeconds, sessionField, ...(embedder ? { embedder } : {}) }));
    closers.push(() => provider.close());
    return provider;
  };
  let libsqlTarget: string | undefined;
  // The embedder goes to long-term memory: to the encryption wrapper when there is one (it embeds
  // the plaintext), else to the store. Mem0 and Zep embed on their side.
  const embedding = embedderFromEnvironment(env);
  if (embedding && (env.MEM0_API_KEY || env.ZEP_API_KEY)) {
    throw new MemoryConfigurationError('FASTAGENTIC_EMBEDDER_URL', `${env.MEM0_API_KEY ? 'Mem0' : 'Zep'} embeds memories itself: unset FASTAGENTIC_EMBEDDER_URL`);
  }
  const storeEmbedder: Embedder | undefined = env.FASTAGENTIC_ENCRYPTION_KEY ? undefined : embedding?.embedder;
  const libsql = (tablePrefix: string, ttlSeconds?: number, embedder?: Embedder) => {
    libsqlTarget ??= env.LIBSQL_URL ?? `file:${ownerOnlyDatabase(dataFolderFrom(env), 'memory.db')}`;
    const provider = fromVariable(env.LIBSQL_URL ? 'LIBSQL_URL' : 'FASTAGENTIC_DATA_DIR', () =>
      new LibsqlProvider({ url: libsqlTarget!, authToken: env.LIBSQL_AUTH_TOKEN, tablePrefix, ttlSeconds, ...(embedder ? { embedder } : {}) }),
    );
    closers.push(() => provider.close());
    return provider;
  };
  const libsqlName = () => (env.LIBSQL_URL ? `libSQL at ${env.LIBSQL_URL.replace(/\/\/[^@/]*@/, '//')}` : `libSQL file ${libsqlTarget!.slice(5)}`);
  let memory: MemoryProvider;
  if (env.MEM0_API_KEY) {
    memory = fromVariable(env.MEM0_HOST ? 'MEM0_HOST' : 'MEM0_API_KEY', () =>
      new Mem0Provider({ apiKey: env.MEM0_API_KEY, baseUrl: env.MEM0_HOST, infer: env.MEM0_INFER !== 'false' }),
    );
    description.push(`long-term: Mem0${env.MEM0_HOST ? ` at ${env.MEM0_HOST}` : ''} (asynchronous, ${env.MEM0_INFER === 'false' ? 'verbatim' : 'extracted facts'})`);
  } else if (env.ZEP_API_KEY) {
    memory = fromVariable(env.ZEP_BASE_URL ? 'ZEP_BASE_URL' : 'ZEP_API_KEY', () =>
      new ZepProvider({ apiKey: env.ZEP_API_KEY, baseUrl: env.ZEP_BASE_URL, autoSummarize: true }),
    );
    description.push(`long-term: Zep${env.ZEP_BASE_URL ? ` at ${env.ZEP_BASE_URL}` : ''} (asynchronous ingestion)`);
  } else if (env.DATABASE_URL || env.POSTGRES_URL) {
    // PostgreSQL comes after Mem0 and Zep and before Redis (which then keeps session memory).
    const postgres = fromVariable(env.DATABASE_URL ? 'DATABASE_URL' : 'POSTGRES_URL', () => postgresMemoryFromEnv(env, storeEmbedder)!);
    memory = postgres.memory;
    closers.push(postgres.close);
    description.push(postgres.description);
  } else if (env.REDIS_URL) {
    memory = redis(env.REDIS_MEMORY_PREFIX ?? 'memory:', undefined, storeEmbedder);
    description.push(`long-term: Redis (${env.REDIS_MEMORY_PREFIX ?? 'memory:'}*)`);
  } else {
    memory = libsql('memory_', undefined, storeEmbedder);
    description.push(`long-term: ${libsqlName()}`);
  }

  let sessionMemory: MemoryProvider;
  if (env.REDIS_URL) {
    sessionMemory = redis(env.REDIS_SESSION_PREFIX ?? 'session:', sessionTtlSeconds);
    description.push(`session: Redis (${env.REDIS_SESSION_PREFIX ?? 'session:'}*), expires after ${sessionTtlSeconds} s idle`);
  } else {
    sessionMemory = libsql('session_', sessionTtlSeconds);
    description.push(`session: ${libsqlName()}, expires after ${sessionTtlSeconds} s idle`);
  }

  description.push(embedding?.description ?? 'embedder: none (lexical relevance; set FASTAGENTIC_EMBEDDER_URL, _MODEL, _API_KEY for meaning)');
  const key = env.FASTAGENTIC_ENCRYPTION_KEY;
  if (key) {
    try {
      // Session reads filter on sessionId, so it gets a blind index (formation filters long-term
      // memory on kind and slot); withEncryption refuses
      // providers whose backend rewrites the text (Zep, Mem0 with inference).
      memory = withEncryption(memory, {
        key,
        filterableFields: ['source', 'category', 'categories', 'kind', 'slot'],
        ...(embedding ? { embedder: embedding.embedder } : {}),
      });
      sessionMemory = withEncryption(sessionMemory, { key, filterableFields: ['sessionId'] });
    } catch (error) {
      if (!MemoryConfigurationError.isInstance(error)) throw error;
      throw new MemoryConfigurationError('FASTAGENTIC_ENCRYPTION_KEY', error.message, { cause: error });
    }
    description.push('encryption: AES-256-GCM in process (FASTAGENTIC_ENCRYPTION_KEY)');
  }

  return {
    memory,
    sessionMemory,
    description,
    close: async () => {
      await Promise.all(closers.map((close) => close()));
    },
  };
}
