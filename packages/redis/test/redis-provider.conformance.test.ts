import { testMemoryProvider } from '@fastagentic/testkit';
import { RedisProvider } from '../src/index.js';
import { SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const prefix = uniquePrefix('ioredis');
testMemoryProvider({
  name: 'RedisProvider (ioredis)',
  create: () => new RedisProvider({ url: SHARED_REDIS_URL, prefix }),
  createWithTtl: (ttlSeconds) => new RedisProvider({ url: SHARED_REDIS_URL, prefix, ttlSeconds }),
  // Nothing listens on port 1: every call fails to connect.
  createBroken: () => new RedisProvider({ url: 'redis://127.0.0.1:1', prefix }),
  destroyBroken: (provider) => (provider as RedisProvider).close(),
  destroy: (provider) => (provider as RedisProvider).close(),
});
