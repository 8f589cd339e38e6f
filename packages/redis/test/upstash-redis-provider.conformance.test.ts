import { testMemoryProvider } from '@fastagentic/testkit';
import { afterAll } from 'vitest';
import { UpstashRedisProvider } from '../src/upstash.js';
import { SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';
import { startUpstashRestServer } from './upstash-rest-server.js';

const server = await startUpstashRestServer(SHARED_REDIS_URL);
afterAll(() => server.close());

const connection = { url: server.url, token: server.token, prefix: uniquePrefix('upstash') };
testMemoryProvider({
  name: 'UpstashRedisProvider (REST, Node)',
  create: () => new UpstashRedisProvider(connection),
  createWithTtl: (ttlSeconds) => new UpstashRedisProvider({ ...connection, ttlSeconds }),
  // Nothing listens on port 1: every request fails to connect.
  createBroken: () => new UpstashRedisProvider({ ...connection, url: 'http://127.0.0.1:1' }),
});
