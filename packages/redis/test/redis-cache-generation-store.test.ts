import { MemoryConfigurationError, withCache } from '@fastagentic/memory';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisCacheGenerationStore, RedisProvider } from '../src/index.js';
import { userKeys } from '../src/redis-key-layout.js';
import { scanKeys } from '@fastagentic/test-services';
import { SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const port = Number(new URL(SHARED_REDIS_URL).port || 6379);
const prefix = uniquePrefix('cache-generations');
// Two clients stand for two processes: nothing is shared between them but Redis.
const clientA = new Redis(SHARED_REDIS_URL);
const clientB = new Redis(SHARED_REDIS_URL);

function cachedProcess(client: Redis) {
  const provider = new RedisProvider({ client, prefix });
  return withCache(provider, { ttlSeconds: 600, maxEntries: 1000, generations: new RedisCacheGenerationStore({ client, prefix }) });
}

afterAll(async () => {
  for (const key of await scanKeys(port, prefix)) await clientA.unlink(key);
  await clientA.quit();
  await clientB.quit();
});

describe('RedisCacheGenerationStore', () => {
  it('a forget or delete through one process is seen by the cache of another', async () => {
    const a = cachedProcess(clientA);
    const b = cachedProcess(clientB);
    const id = await a.add('user {1}', [{ role: 'user', content: 'allergic to peanuts' }]);
    await a.add('user {1}', [{ role: 'user', content: 'peanuts are fine in small doses' }]);

    expect(await b.search('user {1}', 'peanuts')).toHaveLength(2);
    expect(await b.search('user {1}', 'peanuts')).toHaveLength(2);
    expect(b.statistics().hits).toBe(1);

    await a.delete('user {1}', id);
    expect((await b.search('user {1}', 'peanuts')).map((m) => m.id)).not.toContain(id);
    expect((await b.getAll('user {1}')).memories).toHaveLength(1);

    await a.deleteAll('user {1}');
    expect(await b.search('user {1}', 'peanuts')).toEqual([]);
    expect((await b.getAll('user {1}')).memories).toEqual([]);
  });

  it("keeps the counter under the user's hash tag, one per user", async () => {
    const store = new RedisCacheGenerationStore({ client: clientA, prefix });
    expect(await store.get('u-a')).toBe(0);
    expect(await store.bump('u-a')).toBe(1);
    expect(await store.bump('u-a')).toBe(2);
    expect(await store.get('u-a')).toBe(2);
    expect(await store.get('u-b')).toBe(0);
    const tag = userKeys(prefix, 'u-a').records.slice(0, -2);
    expect(await clientA.get(`${tag}:g`)).toBe('2');
  });

  it('refuses a client without get and incr, or a prefix with a hash tag', () => {
    expect(() => new RedisCacheGenerationStore({ client: {} as never })).toThrow(MemoryConfigurationError);
    expect(() => new RedisCacheGenerationStore({ client: clientA, prefix: 'x{y}:' })).toThrow(/prefix/);
  });
});
