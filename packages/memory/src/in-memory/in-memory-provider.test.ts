import { describe, expect, it } from 'vitest';
import { InMemoryProvider } from './in-memory-provider.js';
import { MemoryConfigurationError, MemoryValidationError } from '../spec/memory-error.js';
import { cosineRelevance } from '../embedders/embedder.js';
import { roundScore } from '../relevance/score-terms.js';
import { terms } from '../relevance/terms.js';

describe('InMemoryProvider', () => {
  it('returns copies: changing a result never changes what is stored', async () => {
    const provider = new InMemoryProvider();
    const id = await provider.add('u', [{ role: 'user', content: 'Likes tea' }], {
      category: 'preferences',
      nested: { list: [1, { deep: 'x' }] },
    });
    const first = (await provider.get('u', id))!;
    first.memory = 'changed';
    (first.metadata.nested as { list: unknown[] }).list.push('extra');
    first.categories!.push('injected');
    const [found] = await provider.search('u', 'tea');
    (found!.metadata as Record<string, unknown>).category = 'changed';
    expect(await provider.get('u', id)).toMatchObject({
      memory: 'Likes tea',
      metadata: { category: 'preferences', nested: { list: [1, { deep: 'x' }] } },
      categories: ['preferences'],
    });
  });

  it('rejects a cursor it did not issue and a bad TTL', async () => {
    const provider = new InMemoryProvider();
    await expect(provider.getAll('u', { cursor: 'not-a-cursor' })).rejects.toSatisfy(
      (error: unknown) => MemoryValidationError.isInstance(error) && error.field === 'options.cursor',
    );
    expect(() => new InMemoryProvider({ ttlSeconds: 0 })).toThrow(MemoryConfigurationError);
  });

  it('keeps paging stable while memories are added and deleted between pages', async () => {
    const provider = new InMemoryProvider();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await provider.add('u', [{ role: 'user', content: `fact ${i}` }]));
    const first = await provider.getAll('u', { limit: 2 });
    expect(first.memories.map((memory) => memory.id)).toEqual([ids[5], ids[4]]);
    await provider.add('u', [{ role: 'user', content: 'newer than the cursor' }]);
    await provider.delete('u', ids[3]!);
    const second = await provider.getAll('u', { limit: 2, cursor: first.nextCursor! });
    expect(second.memories.map((memory) => memory.id)).toEqual([ids[2], ids[1]]);
    const third = await provider.getAll('u', { limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({ memories: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
  });

  it('stores an add repeated with the same idempotency key once, per user', async () => {
    const provider = new InMemoryProvider();
    const first = await provider.add('u', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    const again = await provider.add('u', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    const other = await provider.add('v', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect((await provider.getAll('u')).memories).toHaveLength(1);
    await provider.delete('u', first);
    const afterDelete = await provider.add('u', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    expect(afterDelete).not.toBe(first);
    await expect(provider.add('u', [{ role: 'user', content: 'x' }], undefined, { idempotencyKey: '' })).rejects.toThrow(
      /options\.idempotencyKey/,
    );
  });
});

describe('InMemoryProvider ranking', () => {
  it('ranks with terms() and scoreTerms: rarity and length count, and a filter never changes a score', async () => {
    const provider = new InMemoryProvider();
    await provider.add('u', [{ role: 'user', content: 'I like red apples' }], { kind: 'food' });
    await provider.add('u', [{ role: 'user', content: 'We drove past a red barn, bought apples, pears, bread and cheese, then went home' }], { kind: 'trip' });
    await provider.add('u', [{ role: 'user', content: 'The red car needs new tyres' }], { kind: 'car' });
    await provider.add('other', [{ role: 'user', content: 'apples apples apples' }]);
    const ranked = await provider.search('u', 'red apples');
    expect(ranked.map((memory) => memory.memory)).toEqual([
      'I like red apples',
      'We drove past a red barn, bought apples, pears, bread and cheese, then went home',
      'The red car needs new tyres',
    ]);
    expect(ranked[0]!.score).toBeGreaterThan(0.7);
    const filtered = await provider.search('u', 'red apples', { filters: { kind: { in: ['trip', 'car'] } } });
    expect(filtered.map((memory) => [memory.memory, memory.score])).toEqual(ranked.slice(1).map((memory) => [memory.memory, memory.score]));
    expect(await provider.search('u', 'red apples', { minRelevance: 0.9 })).toHaveLength(1);
  });

  it('breaks equal scores newest first, then by id', async () => {
    const provider = new InMemoryProvider();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push(await provider.add('u', [{ role: 'user', content: 'the same sentence about tea' }]));
    const found = await provider.search('u', 'tea');
    expect(new Set(found.map((memory) => memory.score)).size).toBe(1);
    const expected = [...found].sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? -1 : 1));
    expect(found.map((memory) => memory.id)).toEqual(expected.map((memory) => memory.id));
  });
});

describe('InMemoryProvider with supplied terms', () => {
  const opaque = (list: readonly string[]) => list.map((term) => `#${[...term].reverse().join('')}`);
  const texts = ['I like red apples', 'apples apples and more apples', 'The red car needs new tyres', 'green tea in the morning'];

  it('indexes indexTerms and queries queryTerms in place of terms(): the same scores as over the words', async () => {
    const plain = new InMemoryProvider();
    const supplied = new InMemoryProvider();
    expect(supplied.capabilities.suppliedTerms).toBe(true);
    const ids = new Map<string, string>();
    for (const text of texts) {
      ids.set(await plain.add('u', [{ role: 'user', content: text }]), text);
      // The stored text says nothing of its terms: only the supplied ones are indexed.
      const id = await supplied.add('u', [{ role: 'user', content: `sealed ${ids.size}` }], {}, { indexTerms: opaque(terms(text)) });
      ids.set(id, text);
    }
    const query = 'red apples';
    const expected = await plain.search('u', query);
    const found = await supplied.search('u', 'anything at all', { queryTerms: opaque(terms(query)) });
    // Equal scores order by id, which differs between the two providers: compare score per text.
    const byText = (list: typeof found) => list.map((memory) => [ids.get(memory.id)!, memory.score!] as const).sort();
    expect(byText(found)).toEqual(byText(expected));
    expect(found.length).toBe(3);
    expect(await supplied.search('u', 'red apples')).toEqual([]);

    await supplied.delete('u', found[0]!.id);
    const after = await supplied.search('u', 'x', { queryTerms: opaque(terms(query)) });
    expect(after.map((memory) => memory.id)).not.toContain(found[0]!.id);
    expect(after).toHaveLength(2);
  });
});

describe('InMemoryProvider with an embedder', () => {
  // Vectors over three topics plus the text's length, so similar texts score high but not 1.
  const topics = [/tea|drink|beverage/i, /dog|pet|puppy/i, /code|rust|program/i];
  const embedder = {
    modelId: 'topics-v1',
    dimensions: 4,
    async embed(texts: string[]) {
      return texts.map((text) => [...topics.map((topic) => (topic.test(text) ? 1 : 0.05)), text.length / 20]);
    },
  };

  it('is hybrid by default: an exact word match outranks a mere paraphrase, and minRelevance applies to the hybrid score', async () => {
    const provider = new InMemoryProvider({ embedder });
    await provider.add('u', [{ role: 'user', content: 'Favourite drink is oolong' }]);
    await provider.add('u', [{ role: 'user', content: 'Drinks green tea every morning' }]);
    await provider.add('u', [{ role: 'user', content: 'Has a puppy called Rex' }]);
    const found = await provider.search('u', 'oolong beverage');
    expect(found.map((memory) => memory.memory)).toEqual(['Favourite drink is oolong', 'Drinks green tea every morning', 'Has a puppy called Rex']);
    expect(found[0]!.score).toBeGreaterThan(found[1]!.score!);
    const strict = await provider.search('u', 'oolong beverage', { minRelevance: 0.95 });
    expect(strict.map((memory) => memory.memory)).toEqual(['Favourite drink is oolong']);
  });

  it("keeps cosine-only scores with ranking: 'embedding'; hybrid adds the lexical score to them", async () => {
    const scores = async (ranking: 'hybrid' | 'embedding') => {
      const provider = new InMemoryProvider({ embedder, ranking });
      await provider.add('u', [{ role: 'user', content: 'Favourite drink is oolong' }]);
      await provider.add('u', [{ role: 'user', content: 'Drinks green tea every morning' }]);
      return new Map((await provider.search('u', 'oolong beverage')).map((memory) => [memory.memory, memory.score!]));
    };
    const hybrid = await scores('hybrid');
    const cosine = await scores('embedding');
    const queryVector = (await embedder.embed(['oolong beverage']))[0]!;
    const exactVector = (await embedder.embed(['Favourite drink is oolong']))[0]!;
    expect(cosine.get('Favourite drink is oolong')).toBe(roundScore(cosineRelevance(queryVector, exactVector)));
    expect(hybrid.get('Favourite drink is oolong')).toBeGreaterThan(cosine.get('Favourite drink is oolong')!);
    // No shared term: the hybrid score is the cosine itself.
    expect(hybrid.get('Drinks green tea every morning')).toBe(cosine.get('Drinks green tea every morning'));
    expect(() => new InMemoryProvider({ embedder, ranking: 'cosine' as never })).toThrow(MemoryConfigurationError);
  });

  it('refuses to compare vectors of different lengths', async () => {
    let dimensions = 3;
    const drifting = { embed: async (texts: string[]) => texts.map(() => Array.from({ length: dimensions }, () => 1)) };
    const provider = new InMemoryProvider({ embedder: drifting });
    await provider.add('u', [{ role: 'user', content: 'anything' }]);
    dimensions = 4;
    await expect(provider.search('u', 'anything')).rejects.toSatisfy(
      (error: unknown) => MemoryConfigurationError.isInstance(error) && error.option === 'embedder',
    );
  });
});
