import { RedisProvider } from '@fastagentic/redis';
import { CONFORMANCE_FILTER_FIELDS, testMemoryProvider } from '@fastagentic/testkit';
import { Redis } from 'ioredis';
import { withEncryption, type EncryptedMemoryProvider } from '../../src/index.js';
import { describeEncryptionGuarantees, randomKey } from '../describe-encryption-guarantees.js';

// Node only: ioredis does not load in the workers pool. The shared Redis, under a prefix unique to this run.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = (label: string) => `fastagentic-test:encryption-${label}:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
const options = { key: randomKey(), filterableFields: CONFORMANCE_FILTER_FIELDS };
const conformancePrefix = prefix('conformance');

testMemoryProvider({
  name: 'withEncryption(RedisProvider)',
  create: () => withEncryption(new RedisProvider({ url, prefix: conformancePrefix }), options),
  createWithTtl: (ttlSeconds) => withEncryption(new RedisProvider({ url, prefix: conformancePrefix, ttlSeconds }), options),
  // Nothing listens on port 1: the backend's failures must reach callers typed, through the wrapper.
  createBroken: () => withEncryption(new RedisProvider({ url: 'redis://127.0.0.1:1', prefix: conformancePrefix }), options),
  destroyBroken: (provider) => ((provider as EncryptedMemoryProvider).inner as RedisProvider).close(),
  destroy: (provider) => ((provider as EncryptedMemoryProvider).inner as RedisProvider).close(),
});

const guaranteesPrefix = prefix('guarantees');
describeEncryptionGuarantees({
  name: 'RedisProvider',
  createBackend: () => new RedisProvider({ url, prefix: guaranteesPrefix }),
  // Every key and every stored byte under the run's prefix, read straight from Redis.
  dumpBackend: async () => {
    const redis = new Redis(url);
    try {
      const parts: string[] = [];
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${guaranteesPrefix}*`, 'COUNT', '500');
        cursor = next;
        for (const key of keys) {
          parts.push(key);
          const type = await redis.type(key);
          if (type === 'hash') parts.push(...Object.entries(await redis.hgetall(key)).flat());
          else if (type === 'zset') parts.push(...(await redis.zrange(key, '0', '-1')));
          else if (type === 'string') parts.push((await redis.get(key)) ?? '');
        }
      } while (cursor !== '0');
      return parts.join('\n');
    } finally {
      redis.disconnect();
    }
  },
  destroyBackend: (backend) => (backend as RedisProvider).close(),
});
