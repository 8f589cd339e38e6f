import { describe, expect, it } from 'vitest';
import { InMemoryProvider } from '../in-memory/in-memory-provider.js';
import { MemoryConfigurationError, MemoryValidationError } from '../spec/memory-error.js';
import type { MemoryProvider } from '../spec/memory-provider.js';
import { InProcessGenerationStore, type CacheGenerationStore } from './cache-generation-store.js';
import { withCache } from './with-cache.js';

/** Counts the reads that reach the provider, to tell hits from misses. */
function counting(inner: MemoryProvider) {
  const calls = { search: 0, getAll: 0 };
  const provider: MemoryProvider = {
    specificationVersion: 'v1',
    provider: inner.provider,
    capabilities: inner.capabilities,
    add: (...args) => inner.add(...args),
    search: (...args) => (calls.search++, inner.search(...args)),
    getAll: (...args) => (calls.getAll++, inner.getAll(...args)),
    get: (...args) => inner.get(...args),
    delete: (...args) => inner.delete(...args),
    deleteAll: (...args) => inner.deleteAll(...args),
  };
  return { provider, calls };
}

describe('withCache', () => {
  it('serves a repeated search and page from the cache, per user and options', async () => {
    const { provider, calls } = counting(new InMemoryProvider());
    const cached = withCache(provider, { ttlSeconds: 60, maxEntries: 100, scope: 'process' });
    await cached.add('u1', [{ role: 'user', content: 'likes green tea' }]);
    await cached.add('u2', [{ role: 'user', content: 'likes black tea' }]);
    const first = await cached.search('u1', 'tea');
    expect(await cached.search('u1', 'tea')).toEqual(first);
    expect(calls.search).toBe(1);
    await cached.search('u1', 'tea', { limit: 1 });
    await cached.search('u2', 'tea');
    expect(calls.search).toBe(3);
    expect((await cached.search('u2', 'tea'))[0]!.memory).toBe('likes black tea');
    await cached.getAll('u1');
    await cached.getAll('u1');
    expect(calls.getAll).toBe(1);
    expect(cached.statistics()).toEqual({ hits: 3, misses: 4, entries: 4 });
    expect(cached.capabilities).toBe(provider.capabilities);
    expect(cached.provider).toBe('in-memory');
  });

  it('never serves a deleted memory, nor a stale page after add or deleteAll', async () => {
    const cached = withCache(new InMemoryProvider(), { ttlSeconds: 600, maxEntries: 100, scope: 'process' });
    const id = await cached.add('u1', [{ role: 'user', content: 'secret plan for the weekend' }]);
    await cached.add('u2', [{ role: 'user', content: 'a weekend plan of u2' }]);
    expect(await cached.search('u1', 'weekend plan')).toHaveLength(1);
    expect((await cached.getAll('u1')).memories).toHaveLength(1);
    expect(await cached.search('u2', 'weekend plan')).toHaveLength(1);

    await cached.delete('u1', id);
    expect(await cached.search('u1', 'weekend plan')).toEqual([]);
    expect((await cached.getAll('u1')).memories).toEqual([]);
    // The other user's entries stay.
    const before = cached.statistics().hits;
    expect(await cached.search('u2', 'weekend plan')).toHaveLength(1);
    expect(cached.statistics().hits).toBe(before + 1);

    await cached.add('u1', [{ role: 'user', content: 'new weekend plan' }]);
    expect((await cached.search('u1', 'weekend plan')).map((m) => m.memory)).toEqual(['new weekend plan']);
    await cached.deleteAll('u1');
    expect(await cached.search('u1', 'weekend plan')).toEqual([]);
  });

  it('a result cached by a read that raced a write is not served after the write', async () => {
    const inner = new InMemoryProvider();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow: MemoryProvider = { ...counting(inner).provider, search: async (...args) => { const result = await inner.search(...args); await gate; return result; } };
    const cached = withCache(slow, { ttlSeconds: 600, maxEntries: 100, scope: 'process' });
    const id = await cached.add('u1', [{ role: 'user', content: 'racing memory' }]);
    const racing = cached.search('u1', 'racing');
    await new Promise((resolve) => setTimeout(resolve, 5));
    await cached.delete('u1', id);
    release();
    expect(await racing).toHaveLength(1);
    expect(await cached.search('u1', 'racing')).toEqual([]);
  });

  it('expires entries after ttlSeconds and keeps at most maxEntries', async () => {
    const { provider, calls } = counting(new InMemoryProvider());
    const cached = withCache(provider, { ttlSeconds: 1, maxEntries: 2, scope: 'process' });
    await cached.search('u1', 'a');
    await cached.search('u1', 'b');
    await cached.search('u1', 'a');
    await cached.search('u1', 'c'); // evicts b, the least recently used
    expect(cached.statistics().entries).toBe(2);
    await cached.search('u1', 'a');
    expect(calls.search).toBe(3);
    await cached.search('u1', 'b');
    expect(calls.search).toBe(4);
    const realNow = Date.now;
    Date.now = () => realNow() + 1500;
    try {
      await cached.search('u1', 'b');
      expect(calls.search).toBe(5);
    } finally {
      Date.now = realNow;
    }
  });

  it('returns copies: changing a result does not change what is served next', async () => {
    const cached = withCache(new InMemoryProvider(), { ttlSeconds: 60, maxEntries: 10, scope: 'process' });
    await cached.add('u1', [{ role: 'user', content: 'tea' }], { kind: 'drink' });
    (await cached.search('u1', 'tea'))[0]!.metadata.kind = 'changed';
    expect((await cached.search('u1', 'tea'))[0]!.metadata.kind).toBe('drink');
  });

  it('refuses to run where writes elsewhere could not invalidate it', () => {
    const provider = new InMemoryProvider();
    expect(() => withCache(provider, { ttlSeconds: 60, maxEntries: 10 })).toThrow(MemoryConfigurationError);
    expect(() => withCache(provider, { ttlSeconds: 60, maxEntries: 10, generations: new InProcessGenerationStore() })).toThrow(
      /generations/,
    );
    const shared: CacheGenerationStore = { get: async () => 0, bump: async () => 1 };
    expect(withCache(provider, { ttlSeconds: 60, maxEntries: 10, generations: shared }).provider).toBe('in-memory');
    expect(() => withCache(provider, { ttlSeconds: 0, maxEntries: 10, scope: 'process' })).toThrow(/ttlSeconds/);
    expect(() => withCache(provider, { ttlSeconds: 1, maxEntries: 1.5, scope: 'process' })).toThrow(/maxEntries/);
  });

  it('goes to the provider uncached when the generation store fails, and reports it', async () => {
    const errors: unknown[] = [];
    const broken: CacheGenerationStore = {
      get: async () => Promise.reject(new Error('store down')),
      bump: async () => Promise.reject(new Error('store down')),
    };
    const { provider, calls } = counting(new InMemoryProvider());
    const cached = withCache(provider, { ttlSeconds: 60, maxEntries: 10, generations: broken, onGenerationError: (e) => errors.push(e) });
    await cached.add('u1', [{ role: 'user', content: 'tea' }]);
    await cached.search('u1', 'tea');
    await cached.search('u1', 'tea');
    expect(calls.search).toBe(2);
    expect(errors).toHaveLength(3);
    await expect(cached.search('', 'tea')).rejects.toThrow(MemoryValidationError);
  });
});
