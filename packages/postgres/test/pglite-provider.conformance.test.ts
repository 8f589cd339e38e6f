import { testMemoryProvider } from '@fastagentic/testkit';
import { PGliteProvider } from '../src/pglite.js';
import { wordEmbedder } from './shared-postgres.js';

testMemoryProvider({
  name: 'PGliteProvider (lexical, no pgvector)',
  create: () => new PGliteProvider(),
  createWithTtl: (ttlSeconds) => new PGliteProvider({ ttlSeconds }),
  destroy: (provider) => (provider as PGliteProvider).close(),
});

testMemoryProvider({
  name: 'PGliteProvider (embedder, pgvector HNSW)',
  create: async () => {
    const provider = new PGliteProvider({ embedder: wordEmbedder, log: () => undefined });
    await provider.ready();
    if (provider.vectorSearch !== 'pgvector-hnsw') throw new Error(`expected pgvector HNSW, got ${provider.vectorSearch}`);
    return provider;
  },
  destroy: (provider) => (provider as PGliteProvider).close(),
});
