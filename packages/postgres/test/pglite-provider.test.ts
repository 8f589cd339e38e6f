import { testMemoryProvider } from '@fastagentic/testkit';
import { describe, expect, it } from 'vitest';
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

describe('PGliteProvider with pgvector', () => {
  it('addMany embeds in one call and the HNSW search ranks by cosine, within the user and the filter', async () => {
    let calls = 0;
    const counting = { dimensions: wordEmbedder.dimensions, embed: (texts: string[]) => (calls++, wordEmbedder.embed(texts)) };
    const provider = new PGliteProvider({ embedder: counting, log: () => undefined });
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
