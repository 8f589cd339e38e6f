import { testMemoryProvider } from '@fastagentic/testkit';
import { afterAll } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { dropSchema, POSTGRES_URL, uniqueSchema, wordEmbedder } from './shared-postgres.js';
import { CONNECTION_TIMEOUT_MS, TEST_TIMEOUT_MS } from './test-timeout.js';

const schema = uniqueSchema('conf');
afterAll(() => dropSchema(schema));

testMemoryProvider({
  name: 'PostgresProvider (pg, server)',
  create: () => new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema }),
  createWithTtl: (ttlSeconds) => new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, tablePrefix: 'session_', ttlSeconds }),
  destroy: (provider) => (provider as PostgresProvider).close(),
  testTimeoutMs: TEST_TIMEOUT_MS,
});

// The server here has no pgvector package, so vectors are compared exactly.
testMemoryProvider({
  name: 'PostgresProvider (pg, server, embedder: exact cosine)',
  create: () =>
    new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, tablePrefix: 'vectors_', embedder: wordEmbedder, log: () => undefined }),
  destroy: (provider) => (provider as PostgresProvider).close(),
  testTimeoutMs: TEST_TIMEOUT_MS,
});
