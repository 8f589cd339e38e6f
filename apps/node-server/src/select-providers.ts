import { withEncryption } from '@fastagentic/encryption';
import { InMemoryProvider, MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';
import { Mem0Provider } from '@fastagentic/mem0';
import { postgresMemoryFromEnv } from './postgres-memory.js';
import { RedisProvider } from '@fastagentic/redis';
import { ZepProvider } from '@fastagentic/zep';

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

/**
 * Picks the memory backends from the environment:
 * - long-term: Mem0 (MEM0_API_KEY) or Zep (ZEP_API_KEY), else Redis (REDIS_URL), else in-memory;
 * - session: Redis with a TTL (REDIS_URL), else in-memory with a TTL;
 * - FASTAGENTIC_ENCRYPTION_KEY encrypts both before they reach the backend.
 * Conflicting settings stop the server rather than silently picking one.
 */
export function selectProviders(env: Env): SelectedProviders {
  const sessionTtlSeconds = sessionTtlFrom(env);
  const closers: Array<() => Promise<void>> = [];
  const description: string[] = [];

  const redis = (prefix: string, ttlSeconds?: number) => {
    const provider = new RedisProvider({ url: env.REDIS_URL!, prefix, ttlSeconds });
    closers.push(() => provider.close());
    return provider;
  };

  if (env.MEM0_API_KEY && env.ZEP_API_KEY) {
    throw new MemoryConfigurationError('ZEP_API_KEY', 'MEM0_API_KEY is set too: choose one long-term memory service');
  }
  let memory: MemoryProvider;
  if (env.MEM0_API_KEY) {
    memory = new Mem0Provider({ apiKey: env.MEM0_API_KEY, baseUrl: env.MEM0_HOST, infer: env.MEM0_INFER !== 'false' });
    description.push(`long-term: Mem0${env.MEM0_HOST ? ` at ${env.MEM0_HOST}` : ''} (asynchronous, ${env.MEM0_INFER === 'false' ? 'verbatim' : 'extracted facts'})`);
  } else if (env.ZEP_API_KEY) {
    memory = new ZepProvider({ apiKey: env.ZEP_API_KEY, baseUrl: env.ZEP_BASE_URL, autoSummarize: true });
    description.push(`long-term: Zep${env.ZEP_BASE_URL ? ` at ${env.ZEP_BASE_URL}` : ''} (asynchronous ingestion)`);
  } else if (env.DATABASE_URL || env.POSTGRES_URL) {
    // PostgreSQL comes after Mem0 and Zep and before Redis (which then keeps session memory).
    const postgres = postgresMemoryFromEnv(env)!;
    memory = postgres.memory;
    closers.push(postgres.close);
    description.push(postgres.description);
  } else if (env.REDIS_URL) {
    memory = redis(env.REDIS_MEMORY_PREFIX ?? 'memory:');
    description.push(`long-term: Redis (${env.REDIS_MEMORY_PREFIX ?? 'memory:'}*)`);
  } else {
    memory = new InMemoryProvider();
    description.push('long-term: in-memory (lost on restart)');
  }

  let sessionMemory: MemoryProvider;
  if (env.REDIS_URL) {
    sessionMemory = redis(env.REDIS_SESSION_PREFIX ?? 'session:', sessionTtlSeconds);
    description.push(`session: Redis (${env.REDIS_SESSION_PREFIX ?? 'session:'}*), expires after ${sessionTtlSeconds} s idle`);
  } else {
    sessionMemory = new InMemoryProvider({ ttlSeconds: sessionTtlSeconds });
    description.push(`session: in-memory, expires after ${sessionTtlSeconds} s idle`);
  }

  const key = env.FASTAGENTIC_ENCRYPTION_KEY;
  if (key) {
    try {
      // Session reads filter on sessionId, so it gets a blind index; withEncryption refuses
      // providers whose backend rewrites the text (Zep, Mem0 with inference).
      memory = withEncryption(memory, { key, filterableFields: ['source', 'category', 'categories'] });
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
