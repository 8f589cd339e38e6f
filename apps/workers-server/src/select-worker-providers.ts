import { InMemoryProvider, MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';
import type { WorkerEnv } from './worker-env.js';

export interface SelectedWorkerProviders {
  memory: MemoryProvider;
  sessionMemory: MemoryProvider;
}

/**
 * Picks the Worker's memory backends from its bindings. Upstash plugs in here: with both Upstash
 * secrets set this build refuses to start rather than keep memories in one isolate's memory.
 * In-memory memories live as long as the isolate (a local dev server, or a demo), no longer.
 */
export function selectWorkerProviders(env: WorkerEnv): SelectedWorkerProviders {
  if (env.UPSTASH_REDIS_REST_URL || env.UPSTASH_REDIS_REST_TOKEN) {
    throw new MemoryConfigurationError('UPSTASH_REDIS_REST_URL', 'is set, but this build of the Worker has no Upstash adapter');
  }
  return {
    memory: new InMemoryProvider(),
    sessionMemory: new InMemoryProvider({ ttlSeconds: Number(env.SESSION_TTL_SECONDS ?? 3600) }),
  };
}
