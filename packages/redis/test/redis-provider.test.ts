import { MemoryConfigurationError, ProviderUnavailableError, type Embedder } from '@fastagentic/memory';
import { HOSTILE_USER_IDS } from '@fastagentic/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { userKeys } from '../src/redis-key-layout.js';
import { scanKeys } from '@fastagentic/test-services';
import { SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const port = Number(new URL(SHARED_REDIS_URL).port || 6379);
const prefix = uniquePrefix('behaviour');
const client = new Redis(SHARED_REDIS_URL);
const provider = new RedisProvider({ client, prefix });
const note = (content: string) => [{ role: 'user' as const, content }];

/** Counts commands ioredis writes to the socket: each is one round trip here (no pipelining). */
function countCommands(redis: Redis): { readonly count: number; reset(): void } {
  let count = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    count++;
    return send(...args);
  }) as Redis['sendCommand'];
  return {
    get count() {
      return count;
    },
    reset() {
      count = 0;
    },
  };
}

afterAll(async () => {
  for (const key of await scanKeys(port, prefix)) await client.unlink(key);
  await client.quit();
});

describe('RedisProvider on a real Redis', () => {
  it('keeps a user in eight keys named by the encoded id and hash tag, and deleteAll leaves only the forget fence', async () => {
    const userId = 'forget-me';
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await provider.add(userId, note(`fact ${i}`), { sessionId: 'chat-1' }, { idempotencyKey: `k${i}` }));
    await provider.update(userId, ids[0]!, { text: 'fact zero, changed' });
    const keys = userKeys(prefix, userId);
    const tag = `${prefix}{${Buffer.from(userId).toString('base64url')}}`;
    expect((await scanKeys(port, tag)).sort()).toEqual(keys.all.filter((key) => key !== keys.fence).sort());
    expect(keys.records).toBe(`${tag}:r`);
    expect(await provider.deleteAll(userId)).toBe(3);
    expect(await scanKeys(port, tag)).toEqual([keys.fence]);
    expect(Number(await client.get(keys.fence))).toBeGreaterThan(0);
  });

  it('deleting the last memory leaves only its history behind, and deleteAll takes that too (leaving the fence)', async () => {
    const id = await provider.add('last-one', note('only memory'));
    await provider.delete('last-one', id);
    const keys = userKeys(prefix, 'last-one');
    expect(await scanKeys(port, keys.records.slice(0, -2))).toEqual([keys.history]);
    expect((await provider.history('last-one', id)).map((entry) => entry.event)).toEqual(['add', 'delete']);
    expect(await provider.deleteAll('last-one')).toBe(0);
    expect(await scanKeys(port, keys.records.slice(0, -2))).toEqual([keys.fence]);
  });

  it('hostile ids never appear raw in a key, and forgetting one leaves every other user’s keys', async () => {
    for (const userId of HOSTILE_USER_IDS) await provider.add(userId, note(`marker for ${userId}`));
    const all = await scanKeys(port, prefix);
    for (const key of all) expect(key.slice(prefix.length)).toMatch(/^\{[A-Za-z0-9_-]+\}:[rtxsdknhf]$/);
    const before = new Set(all);
    expect(await provider.deleteAll('*')).toBe(1);
    const after = new Set(await scanKeys(port, prefix));
    const starKeys = userKeys(prefix, '*');
    for (const key of before) {
      if (starKeys.all.includes(key)) expect(after.has(key)).toBe(false);
      else expect(after.has(key), key).toBe(true);
    }
    for (const userId of HOSTILE_USER_IDS) await provider.deleteAll(userId);
  });

  it('with ttlSeconds every key of the user carries the TTL, each write renews it, and expiry leaves no key', async () => {
    const expiring = new RedisProvider({ client, prefix, ttlSeconds: 1 });
    const keys = userKeys(prefix, 'session');
    const first = await expiring.add('session', note('first'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expiring.add('session', note('second'));
    await expiring.update('session', first, { text: 'first, changed' });
    for (const key of [keys.records, keys.timeline, keys.history]) expect(await client.pttl(key)).toBeGreaterThan(800);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await expiring.delete('session', first);
    for (const key of [keys.records, keys.timeline]) expect(await client.pttl(key)).toBeGreaterThan(800);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await scanKeys(port, keys.records.slice(0, -2))).toEqual([]);
    expect((await expiring.getAll('session')).memories).toEqual([]);
  });

  it('every operation is one round trip once the server has cached the scripts', async () => {
    const counted = new Redis(SHARED_REDIS_URL);
    const counting = new RedisProvider({ client: counted, prefix });
    await counted.ping();
    const commands = countCommands(counted);
    const id = await counting.add('round-trips', note('warm the script cache'));
    await counting.get('round-trips', id);
    await counting.getAll('round-trips');
    await counting.search('round-trips', 'cache');
    await counting.delete('round-trips', id);
    await counting.deleteAll('round-trips');
    const operations: Array<[string, () => Promise<unknown>]> = [
      ['add', () => counting.add('round-trips', note('counted add'))],
      ['get', () => counting.get('round-trips', 'missing')],
      ['getAll', () => counting.getAll('round-trips', { limit: 10 })],
      ['getAll filtered', () => counting.getAll('round-trips', { filters: { category: 'x' } })],
      ['search', () => counting.search('round-trips', 'counted')],
      ['search filtered', () => counting.search('round-trips', 'counted', { filters: { category: { ne: 'x' } } })],
      ['deleteAll', () => counting.deleteAll('round-trips')],
    ];
    for (const [name, operation] of operations) {
      commands.reset();
      await operation();
      expect(commands.count, name).toBe(1);
    }
    const id2 = await counting.add('round-trips', note('to delete'));
    await counting.update('round-trips', id2, { text: 'warm the update script' });
    await counting.history('round-trips', id2);
    // An update reads the record, then one script writes it if it is unchanged since.
    commands.reset();
    await counting.update('round-trips', id2, { text: 'counted update' });
    expect(commands.count, 'update').toBe(2);
    commands.reset();
    await counting.history('round-trips', id2);
    expect(commands.count, 'history').toBe(1);
    commands.reset();
    await counting.delete('round-trips', id2);
    expect(commands.count, 'delete').toBe(1);
    await counted.quit();
  });

  it('deleteAll forgets 10,000 memories in one script call and reports the count', async () => {
    const userId = 'ten-thousand';
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(Array.from({ length: 1_000 }, (_, i) => provider.add(userId, note(`memory ${batch}-${i}`))));
    }
    const counted = new Redis(SHARED_REDIS_URL);
    await counted.ping();
    const commands = countCommands(counted);
    // EVALSHA, plus EVAL once if this server has never seen the script.
    expect(await new RedisProvider({ client: counted, prefix }).deleteAll(userId)).toBe(10_000);
    expect(commands.count).toBeLessThanOrEqual(2);
    expect(await scanKeys(port, userKeys(prefix, userId).records.slice(0, -2))).toEqual([userKeys(prefix, userId).fence]);
    await counted.quit();
  });

  it('search ranks by cosine similarity of stored vectors when an embedder is configured', async () => {
    const axes = ['tea', 'piano', 'berlin'];
    let calls = 0;
    const embedder: Embedder = {
      async embed(texts) {
        calls += texts.length;
        return texts.map((text) => axes.map((axis) => (text.toLowerCase().includes(axis) ? 1 : 0.01)));
      },
    };
    const semantic = new RedisProvider({ client, prefix, embedder });
    expect(semantic.capabilities.semanticSearch).toBe(true);
    await semantic.add('semantic', note('Drinks green tea'));
    await semantic.add('semantic', note('Plays piano'));
    await semantic.add('semantic', note('Lives in Berlin'));
    expect(calls).toBe(3);
    const results = await semantic.search('semantic', 'piano lessons', { limit: 2 });
    expect(calls).toBe(4);
    expect(results.map((memory) => memory.memory)).toEqual(['Plays piano', expect.any(String)]);
    expect(results[0]!.score!).toBeGreaterThan(0.99);
    expect(results[1]!.score!).toBeLessThan(0.1);
    await semantic.deleteAll('semantic');
  });
});

describe('RedisProvider errors', () => {
  it('a key of another type under the prefix is a non-retryable typed error with its cause', async () => {
    const keys = userKeys(prefix, 'collision');
    await client.set(keys.records, 'not a hash');
    const error = await provider.add('collision', note('x')).catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(false);
    expect((error as Error).message).toContain('WRONGTYPE');
    expect((error as Error).cause).toBeInstanceOf(Error);
    await client.unlink(keys.records);
  });

  it('an unreachable server fails fast with a retryable typed error', async () => {
    const unreachable = new RedisProvider({ url: 'redis://127.0.0.1:1', prefix });
    const started = Date.now();
    const error = await unreachable.getAll('anyone').catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
    await unreachable.close();
  });

  it('rejects a prefix with braces, a bad TTL and ambiguous connection options', () => {
    const configError = (make: () => unknown, option: string) => {
      const error = (() => {
        try {
          make();
        } catch (caught) {
          return caught;
        }
      })();
      expect(MemoryConfigurationError.isInstance(error), String(error)).toBe(true);
      expect((error as MemoryConfigurationError).option).toBe(option);
    };
    configError(() => new RedisProvider({ client, prefix: 'app{1}:' }), 'prefix');
    configError(() => new RedisProvider({ client, ttlSeconds: 0 }), 'ttlSeconds');
    configError(() => new RedisProvider({ client, url: SHARED_REDIS_URL }), 'url');
    configError(() => new RedisProvider({}), 'url');
    configError(() => new RedisProvider({ url: 'http://example' }), 'url');
  });
});
