import { MemoryConfigurationError } from '../spec/memory-error.js';
import type { AddOptions, CallOptions, GetAllOptions, MemoryChanges, MemoryProvider, SearchOptions, UpdateOptions } from '../spec/memory-provider.js';
import type { Message, Metadata } from '../spec/schemas.js';
import { validateUserId } from '../spec/validate-input.js';
import { InProcessGenerationStore, type CacheGenerationStore } from './cache-generation-store.js';

export interface WithCacheOptions {
  /** How long a cached result may be served, in seconds. */
  ttlSeconds: number;
  /** Most results held (across users); the least recently used goes first. */
  maxEntries: number;
  /**
   * Where the per-user generation counters live. Give a shared one (Redis) whenever more than one
   * process or Worker isolate writes to the same memories.
   */
  generations?: CacheGenerationStore;
  /**
   * `'process'` states that this process is the only writer: required when `generations` is
   * absent or process-local, because writes made elsewhere could not invalidate this cache.
   */
  scope?: 'process';
  /** Told when the generation store fails; the call then goes to the provider uncached. */
  onGenerationError?: (error: unknown) => void;
}

/** What the cache counts: its hits and misses so far (reads that bypassed it count as misses). */
export interface CacheStatistics {
  hits: number;
  misses: number;
  entries: number;
}

/** A provider that caches reads; `statistics()` reports its hit ratio. */
export interface CachedMemoryProvider extends MemoryProvider {
  statistics(): CacheStatistics;
}

interface Entry {
  userId: string;
  generation: number;
  expiresAt: number;
  value: unknown;
}

function validateOptions(options: WithCacheOptions): void {
  if (!(typeof options.ttlSeconds === 'number' && Number.isFinite(options.ttlSeconds) && options.ttlSeconds > 0)) {
    throw new MemoryConfigurationError('ttlSeconds', 'must be a positive number of seconds');
  }
  if (!(Number.isInteger(options.maxEntries) && options.maxEntries > 0)) {
    throw new MemoryConfigurationError('maxEntries', 'must be a positive integer');
  }
  const processLocal = options.generations === undefined || options.generations.scope === 'process';
  if (processLocal && options.scope !== 'process') {
    throw new MemoryConfigurationError(
      'generations',
      'without a shared generation store (e.g. RedisCacheGenerationStore) a write made by another process ' +
        "could not invalidate this cache; pass one, or scope: 'process' if this process is the only writer",
    );
  }
}

/** The options that change a result, in a fixed order; the signal does not. */
function readKey(operation: 'search' | 'getAll', userId: string, query: string, options: SearchOptions & GetAllOptions = {}): string {
  return JSON.stringify([operation, userId, query, options.limit ?? null, options.minRelevance ?? null, options.cursor ?? null, options.filters ?? null]);
}

/**
 * Caches `search` and `getAll` results per user and query/options. Any `add`, `delete` or
 * `deleteAll` of a user made through the cache drops that user's entries at once and bumps their
 * generation, so a result cached before the write is never served after it resolves — in this
 * process, and, with a shared `generations` store, in every process. `get` is not cached.
 * Results are copies: a caller changing one cannot change what others are served.
 */
export function withCache(provider: MemoryProvider, options: WithCacheOptions): CachedMemoryProvider {
  validateOptions(options);
  const generations = options.generations ?? new InProcessGenerationStore();
  const ttlMs = options.ttlSeconds * 1000;
  const entries = new Map<string, Entry>();
  const keysByUser = new Map<string, Set<string>>();
  let hits = 0;
  let misses = 0;

  const forgetKey = (key: string) => {
    const entry = entries.get(key);
    if (!entry) return;
    entries.delete(key);
    const keys = keysByUser.get(entry.userId);
    keys?.delete(key);
    if (keys?.size === 0) keysByUser.delete(entry.userId);
  };
  const dropUser = (userId: string) => {
    for (const key of keysByUser.get(userId) ?? []) entries.delete(key);
    keysByUser.delete(userId);
  };

  const cachedRead = async <T>(userId: string, key: string, read: () => Promise<T>): Promise<T> => {
    let generation: number;
    try {
      generation = await generations.get(userId);
    } catch (error) {
      options.onGenerationError?.(error);
      misses++;
      return read();
    }
    const entry = entries.get(key);
    if (entry && entry.generation === generation && entry.expiresAt > Date.now()) {
      // Re-inserted so the Map's order stays least recently used first.
      entries.delete(key);
      entries.set(key, entry);
      hits++;
      return structuredClone(entry.value) as T;
    }
    misses++;
    // The generation was read before the provider was: a write that lands meanwhile bumps it, so
    // this result, stored under the older generation, is never served.
    const value = await read();
    forgetKey(key);
    entries.set(key, { userId, generation, expiresAt: Date.now() + ttlMs, value: structuredClone(value) });
    let keys = keysByUser.get(userId);
    if (!keys) keysByUser.set(userId, (keys = new Set()));
    keys.add(key);
    while (entries.size > options.maxEntries) forgetKey(entries.keys().next().value!);
    return value;
  };

  const afterWrite = async (userId: string) => {
    dropUser(userId);
    try {
      await generations.bump(userId);
    } catch (error) {
      // The write itself succeeded; other processes serve their entries for at most ttlSeconds.
      options.onGenerationError?.(error);
    }
    // A read that began before the bump may have stored an entry meanwhile: it is under the old
    // generation and never served, but dropping it frees the space now.
    dropUser(userId);
  };
  const write = async <T>(userId: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } finally {
      await afterWrite(userId);
    }
  };

  const cached: CachedMemoryProvider = {
    specificationVersion: provider.specificationVersion,
    provider: provider.provider,
    capabilities: provider.capabilities,
    async search(userId: string, query: string, searchOptions?: SearchOptions) {
      const user = validateUserId(userId);
      return cachedRead(user, readKey('search', user, query, searchOptions), () => provider.search(userId, query, searchOptions));
    },
    async getAll(userId: string, getAllOptions?: GetAllOptions) {
      const user = validateUserId(userId);
      return cachedRead(user, readKey('getAll', user, '', getAllOptions), () => provider.getAll(userId, getAllOptions));
    },
    get: (userId: string, memoryId: string, callOptions?: CallOptions) => provider.get(userId, memoryId, callOptions),
    add: async (userId: string, messages: Message[], metadata?: Metadata, addOptions?: AddOptions) =>
      write(validateUserId(userId), () => provider.add(userId, messages, metadata, addOptions)),
    delete: async (userId: string, memoryId: string, callOptions?: CallOptions) =>
      write(validateUserId(userId), () => provider.delete(userId, memoryId, callOptions)),
    deleteAll: async (userId: string, callOptions?: CallOptions) => write(validateUserId(userId), () => provider.deleteAll(userId, callOptions)),
    statistics: () => ({ hits, misses, entries: entries.size }),
  };
  // Optional calls exist on the cache only where the provider has them. History is not cached.
  if (provider.update) {
    const update = provider.update.bind(provider);
    cached.update = async (userId: string, memoryId: string, changes: MemoryChanges, updateOptions?: UpdateOptions) =>
      write(validateUserId(userId), () => update(userId, memoryId, changes, updateOptions));
  }
  if (provider.history) cached.history = provider.history.bind(provider);
  return cached;
}
