import { withEncryption } from '@fastagentic/encryption';
import { Mem0Provider } from '@fastagentic/mem0';
import { embedderFromEnvironment, InMemoryProvider, MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';
import { UpstashRedisProvider } from '@fastagentic/redis/upstash';
import { D1Provider } from '@fastagentic/sqlite/d1';
import { ZepProvider } from '@fastagentic/zep';
import type { WorkerEnv } from './worker-env.js';

export interface SelectedWorkerProviders {
  memory: MemoryProvider;
  sessionMemory: MemoryProvider;
  /** The embedder line for the startup log, e.g. `embedder: none (lexical relevance)`. */
  embedder: string;
}

/**
 * Picks the Worker's memory backends from its bindings. Long-term memory: Mem0 (MEM0_API_KEY) or
 * Zep (ZEP_API_KEY), else D1 (the MEMORY_DB binding), else Upstash Redis (both Upstash secrets),
 * else the isolate's memory, which lasts as long as the isolate (a demo), no longer. Session
 * memory: D1 or Upstash with a TTL, else in the isolate. D1 and Upstash together are refused.
 * FASTAGENTIC_ENCRYPTION_KEY encrypts both before they leave the Worker.
 */
export function selectWorkerProviders(env: WorkerEnv): SelectedWorkerProviders {
  const ttlSeconds = Number(env.SESSION_TTL_SECONDS ?? 3600);
  if (!(Number.isFinite(ttlSeconds) && ttlSeconds > 0)) {
    throw new MemoryConfigurationError('SESSION_TTL_SECONDS', 'must be a positive number of seconds');
  }
  const url = env.UPSTASH_REDIS_REST_URL;
  const token = env.UPSTASH_REDIS_REST_TOKEN;
  if (Boolean(url) !== Boolean(token)) {
    throw new MemoryConfigurationError(
      url ? 'UPSTASH_REDIS_REST_TOKEN' : 'UPSTASH_REDIS_REST_URL',
      'set both UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or neither',
    );
  }
  if (env.MEMORY_DB && url) {
    throw new MemoryConfigurationError('UPSTASH_REDIS_REST_URL', 'MEMORY_DB (D1) and UPSTASH_REDIS_REST_URL are both set: choose one database');
  }
  let memory: MemoryProvider;
  let sessionMemory: MemoryProvider;
  const prefix = env.MEMORY_PREFIX ?? '';
  const database = env.MEMORY_DB;
  if (env.MEM0_API_KEY && env.ZEP_API_KEY) {
    throw new MemoryConfigurationError('ZEP_API_KEY', 'MEM0_API_KEY is set too: choose one long-term memory service');
  }
  // Long-term memory's embedder: given to the encryption wrapper when there is one (it embeds the
  // plaintext), else to the store. Mem0 and Zep embed on their side.
  const embedding = embedderFromEnvironment(env as unknown as Record<string, string | undefined>);
  if (embedding && (env.MEM0_API_KEY || env.ZEP_API_KEY)) {
    throw new MemoryConfigurationError('FASTAGENTIC_EMBEDDER_URL', `${env.MEM0_API_KEY ? 'Mem0' : 'Zep'} embeds memories itself: unset FASTAGENTIC_EMBEDDER_URL`);
  }
  const embedder = env.FASTAGENTIC_ENCRYPTION_KEY ? undefined : embedding?.embedder;
  if (env.MEM0_API_KEY) {
    memory = new Mem0Provider({ apiKey: env.MEM0_API_KEY, baseUrl: env.MEM0_HOST, infer: env.MEM0_INFER !== 'false' });
  } else if (env.ZEP_API_KEY) {
    memory = new ZepProvider({ apiKey: env.ZEP_API_KEY, baseUrl: env.ZEP_BASE_URL, autoSummarize: true });
  } else if (database) {
    memory = new D1Provider({ database, tablePrefix: 'memory_', ...(embedder ? { embedder } : {}) });
  } else if (url && token) {
    memory = new UpstashRedisProvider({ url, token, prefix: `${prefix}memory:`, ...(embedder ? { embedder } : {}) });
  } else {
    memory = new InMemoryProvider(embedder ? { embedder } : {});
  }
  if (database) sessionMemory = new D1Provider({ database, tablePrefix: 'session_', ttlSeconds });
  else if (url && token) sessionMemory = new UpstashRedisProvider({ url, token, prefix: `${prefix}session:`, ttlSeconds });
  else sessionMemory = new InMemoryProvider({ ttlSeconds });
  const key = env.FASTAGENTIC_ENCRYPTION_KEY;
  if (key) {
    try {
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
  }
  return { memory, sessionMemory, embedder: embedding?.description ?? 'embedder: none (lexical relevance)' };
}
