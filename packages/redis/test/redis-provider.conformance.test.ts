import { testMemoryProvider } from '@fastagentic/testkit';
import { RedisProvider } from '../src/index.js';
import { SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const prefix = uniquePrefix('ioredis');
testMemoryProvider({
  name: 'RedisProvider (ioredis)',
  create: () => new RedisProvider({ url: SHARED_REDIS_URL, prefix }),
  createWithTtl: (ttlSeconds) => new RedisProvider({ url: SHARED_REDIS_URL, prefix, ttlSeconds }),
  destroy: (provider) => (provider as RedisProvider).close(),
});
