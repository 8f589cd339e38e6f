import { withEncryption } from '@fastagentic/encryption';
import { InMemoryProvider, MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';
import { UpstashRedisProvider } from '@fastagentic/redis/upstash';
import type { WorkerEnv } from './worker-env.js';

export interface SelectedWorkerProviders {
  memory: MemoryProvider;
  sessionMemory: MemoryProvider;
}

/**
 * Picks the Worker's memory backends from its bindings. With both Upstash secrets set, long-term
 * and session memory live in Upstash Redis under separate prefixes; otherwise in the isolate's
 * memory, which lasts as long as the isolate (a local dev server, or a demo), no longer.
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
  let memory: MemoryProvider;
  let sessionMemory: MemoryProvider;
  if (url && token) {
    const prefix = env.MEMORY_PREFIX ?? '';
    memory = new UpstashRedisProvider({ url, token, prefix: `${prefix}memory:` });
    sessionMemory = new UpstashRedisProvider({ url, token, prefix: `${prefix}session:`, ttlSeconds });
  } else {
    memory = new InMemoryProvider();
    sessionMemory = new InMemoryProvider({ ttlSeconds });
  }
  const key = env.FASTAGENTIC_ENCRYPTION_KEY;
  if (key) {
    try {
      memory = withEncryption(memory, { key, filterableFields: ['source', 'category', 'categories'] });
      sessionMemory = withEncryption(sessionMemory, { key, filterableFields: ['sessionId'] });
    } catch (error) {
      if (!MemoryConfigurationError.isInstance(error)) throw error;
      throw new MemoryConfigurationError('FASTAGENTIC_ENCRYPTION_KEY', error.message, { cause: error });
    }
  }
  return { memory, sessionMemory };
}
