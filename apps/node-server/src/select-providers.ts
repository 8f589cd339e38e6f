import { InMemoryProvider, MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';

export interface SelectedProviders {
  memory: MemoryProvider;
  sessionMemory: MemoryProvider;
  /** One line per store for the startup log, e.g. `long-term: in-memory`. */
  description: string[];
}

/** Variables naming a backend whose adapter this build does not include yet. */
const NOT_YET_WIRED = ['REDIS_URL', 'MEM0_API_KEY', 'ZEP_API_KEY', 'FASTAGENTIC_ENCRYPTION_KEY'] as const;

/**
 * Picks the memory backends from the environment. This build has the in-memory provider only; a
 * variable asking for another backend stops the server rather than silently keeping memories in
 * process memory. Redis, Mem0, Zep and encryption plug in here.
 */
export function selectProviders(env: Record<string, string | undefined>): SelectedProviders {
  for (const name of NOT_YET_WIRED) {
    if (env[name]) {
      throw new MemoryConfigurationError(name, 'is set, but this build of the server has no adapter for it');
    }
  }
  const sessionTtlSeconds = Number(env.SESSION_TTL_SECONDS ?? 3600);
  return {
    memory: new InMemoryProvider(),
    sessionMemory: new InMemoryProvider({ ttlSeconds: sessionTtlSeconds }),
    description: ['long-term: in-memory (lost on restart)', `session: in-memory, expires after ${sessionTtlSeconds} s idle`],
  };
}
