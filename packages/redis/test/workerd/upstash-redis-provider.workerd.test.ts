import { testMemoryProvider } from '@fastagentic/testkit';
import { inject } from 'vitest';
import { UpstashRedisProvider } from '../../src/upstash.js';

const connection = inject('upstash');
testMemoryProvider({
  name: 'UpstashRedisProvider (REST, workerd)',
  create: () => new UpstashRedisProvider(connection),
  createWithTtl: (ttlSeconds) => new UpstashRedisProvider({ ...connection, ttlSeconds }),
  // Nothing listens on port 1: every request fails to connect.
  createBroken: () => new UpstashRedisProvider({ ...connection, url: 'http://127.0.0.1:1' }),
});
