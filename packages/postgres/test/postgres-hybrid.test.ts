import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { cosineRelevance, roundScore } from '@fastagentic/memory/provider';
import { InMemoryProvider, type MemoryProvider } from '@fastagentic/memory';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { PGliteProvider } from '../src/pglite.js';
import { InMemoryTwin, TOPIC_EMBEDDER } from '@fastagentic/testkit';
import { dropSchema, POSTGRES_URL, uniqueSchema } from './shared-postgres.js';
import { CONNECTION_TIMEOUT_MS } from './test-timeout.js';

const schema = uniqueSchema('hybrid');
afterAll(() => dropSchema(schema));

const WORDS = ['tea', 'coffee', 'piano', 'music', 'berlin', 'river', 'garden', 'cat', 'cats', 'hiking', 'the', 'and'];

/** A small deterministic generator, so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Hybrid ranking equals InMemoryProvider({ embedder, ranking: 'hybrid' }); ranking: 'embedding' equals its cosine order. */
async function expectRankedAsInMemory(hybrid: MemoryProvider, embedding: MemoryProvider): Promise<void> {
  const userId = 'hybrid-user';
  const twin = new InMemoryTwin(hybrid, new InMemoryProvider({ embedder: TOPIC_EMBEDDER, ranking: 'hybrid' }));
  const next = random(11);
  for (let i = 0; i < 40; i++) {
    const words = Array.from({ length: 1 + Math.floor(next() * 6) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
    await twin.add(userId, `${words.join(' ')}${i % 10 === 0 ? ' order 4711' : ''}`, { group: i % 3 });
  }
  await twin.add('someone-else', 'tea coffee order 4711');
  await twin.delete(5);
  for (const query of ['tea', 'order 4711', 'piano music garden', 'drinks', 'cats and the river']) {
    expect((await twin.expectSameSearch(userId, query, { limit: 12 })).length).toBeGreaterThan(0);
    await twin.expectSameSearch(userId, query, { limit: 2 });
    await twin.expectSameSearch(userId, query, { limit: 5, filters: { group: { in: [0, 2] } } });
    await twin.expectSameSearch(userId, query, { limit: 30, minRelevance: 0.6 });
  }
  // The exact number outranks memories that are merely similar.
  const [first] = await hybrid.search(userId, 'order 4711', { limit: 1 });
  expect(first!.memory).toContain('4711');

  const cosineTwin = new InMemoryTwin(embedding, new InMemoryProvider({ embedder: TOPIC_EMBEDDER, ranking: 'embedding' }));
  for (const text of ['tea and coffee', 'piano in berlin', 'cats by the river', 'order 4711 tea']) await cosineTwin.add('cosine-user', text);
  const found = await cosineTwin.expectSameSearch('cosine-user', 'order 4711 tea', { limit: 10 });
  const [queryVector] = await TOPIC_EMBEDDER.embed(['order 4711 tea']);
  const texts = (await embedding.search('cosine-user', 'order 4711 tea', { limit: 10 })).map((memory) => memory.memory);
  const vectors = await TOPIC_EMBEDDER.embed(texts);
  expect(found.map(({ score }) => score)).toEqual(vectors.map((vector) => roundScore(cosineRelevance(queryVector!, vector))));
  expect(found.map(({ score }) => score)).toEqual(found.map(({ score }) => score).sort((x, y) => y - x));
}

describe('hybrid ranking with an embedder', () => {
  it('on the server (exact cosine) equals InMemoryProvider, hybrid and embedding alone', async () => {
    const options = { connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, embedder: TOPIC_EMBEDDER, log: () => undefined };
    const hybrid = new PostgresProvider({ ...options, tablePrefix: 'hybrid_' });
    const embedding = new PostgresProvider({ ...options, tablePrefix: 'embedding_', ranking: 'embedding' });
    try {
      await expectRankedAsInMemory(hybrid, embedding);
    } finally {
      await hybrid.close();
      await embedding.close();
    }
  });

  it('on PGlite with pgvector HNSW candidates equals InMemoryProvider, hybrid and embedding alone', async () => {
    // One database for both providers, in tables of their own: each PGlite start costs seconds under load.
    const db = await PGlite.create('memory://', { extensions: { vector } });
    const hybrid = new PGliteProvider({ db, tablePrefix: 'hybrid_', embedder: TOPIC_EMBEDDER, log: () => undefined });
    const embedding = new PGliteProvider({ db, tablePrefix: 'embedding_', embedder: TOPIC_EMBEDDER, ranking: 'embedding', log: () => undefined });
    try {
      await hybrid.ready();
      await embedding.ready();
      expect([hybrid.vectorSearch, embedding.vectorSearch]).toEqual(['pgvector-hnsw', 'pgvector-hnsw']);
      await expectRankedAsInMemory(hybrid, embedding);

      // Twenty memories nearer the query's vector than the exact match, which the index's few
      // candidates miss: it is found through the lexical candidates and ranks first.
      const twin = new InMemoryTwin(hybrid, new InMemoryProvider({ embedder: TOPIC_EMBEDDER, ranking: 'hybrid' }));
      for (let i = 0; i < 20; i++) await twin.add('union-user', i % 2 ? 'coffee piano' : 'coffee piano garden');
      await twin.add('union-user', 'ticket 4711 piano music guitar');
      const [best] = await twin.expectSameSearch('union-user', '4711', { limit: 1 });
      expect(best!.id).toBe(twin.added[20]!.stored);
    } finally {
      await hybrid.close();
      await embedding.close();
      await db.close();
    }
  });

  it("records the embedder's model with each vector and refuses to compare another model's vectors", async () => {
    const options = { connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, tablePrefix: 'model_', log: () => undefined };
    const first = new PostgresProvider({ ...options, embedder: { ...TOPIC_EMBEDDER, modelId: 'topics-v1' } });
    const other = new PostgresProvider({ ...options, embedder: { ...TOPIC_EMBEDDER, modelId: 'topics-v2' } });
    try {
      await first.add('model-user', [{ role: 'user', content: 'tea with milk' }]);
      await expect(other.search('model-user', 'tea')).rejects.toMatchObject({ name: 'MemoryConfigurationError', option: 'embedder' });
      expect((await other.getAll('model-user')).memories).toHaveLength(1);
      expect((await first.search('model-user', 'tea')).map((memory) => memory.memory)).toEqual(['tea with milk']);
    } finally {
      await first.close();
      await other.close();
    }
  });

  it('refuses an unknown ranking', () => {
    expect(() => new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, embedder: TOPIC_EMBEDDER, ranking: 'cosine' as never })).toThrow(/ranking/);
  });
});
