import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { testMemoryProvider } from '@fastagentic/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { PGliteProvider } from '../src/pglite.js';
import { wordEmbedder } from './shared-postgres.js';
import { TEST_TIMEOUT_MS } from './test-timeout.js';

// Two databases for the whole file, each provider in tables of its own: opening PGlite (WASM) takes
// seconds on a busy machine, so one per provider made the file slow enough to time out under load.
const plain = PGlite.create('memory://');
const withPgvector = PGlite.create('memory://', { extensions: { vector } });
afterAll(async () => {
  await (await plain).close();
  await (await withPgvector).close();
});
let tables = 0;
const ownTables = () => `t${++tables}_`;

testMemoryProvider({
  name: 'PGliteProvider (lexical, no pgvector)',
  create: () => new PGliteProvider({ db: plain, tablePrefix: ownTables() }),
  createWithTtl: (ttlSeconds) => new PGliteProvider({ db: plain, tablePrefix: ownTables(), ttlSeconds }),
  destroy: (provider) => (provider as PGliteProvider).close(),
  testTimeoutMs: TEST_TIMEOUT_MS,
});

testMemoryProvider({
  name: 'PGliteProvider (embedder, pgvector HNSW)',
  create: async () => {
    const provider = new PGliteProvider({ db: withPgvector, tablePrefix: ownTables(), embedder: wordEmbedder, log: () => undefined });
    await provider.ready();
    if (provider.vectorSearch !== 'pgvector-hnsw') throw new Error(`expected pgvector HNSW, got ${provider.vectorSearch}`);
    return provider;
  },
  destroy: (provider) => (provider as PGliteProvider).close(),
  testTimeoutMs: TEST_TIMEOUT_MS,
});

describe('PGliteProvider with pgvector', () => {
  it('addMany embeds in one call and the HNSW search ranks by cosine, within the user and the filter', async () => {
    let calls = 0;
    const counting = { dimensions: wordEmbedder.dimensions, embed: (texts: string[]) => (calls++, wordEmbedder.embed(texts)) };
    const provider = new PGliteProvider({ db: withPgvector, tablePrefix: ownTables(), embedder: counting, log: () => undefined });
    try {
      const texts = ['Paddles a kayak on the river', 'Plays the violin at night', 'Grows tomatoes in the garden', 'River kayak trips in spring'];
      const ids = await provider.addMany('u', texts.map((content, i) => ({ messages: [{ role: 'user' as const, content }], metadata: { i } })));
      expect(calls).toBe(1);
      await provider.add('someone-else', [{ role: 'user', content: 'Paddles a kayak on the river' }]);
      const found = await provider.search('u', 'kayak river');
      expect(found.map((memory) => memory.id).slice(0, 2).sort()).toEqual([ids[0], ids[3]].sort());
      expect(found.every((memory) => memory.userId === 'u' && memory.score! > 0)).toBe(true);
      const filtered = await provider.search('u', 'kayak river', { filters: { i: { gte: 3 } } });
      expect(filtered.map((memory) => memory.id)).toEqual([ids[3]]);
    } finally {
      await provider.close();
    }
  });
});
