import { describe, expect, it } from 'vitest';
import { LexicalIndex } from './lexical-index.js';

describe('LexicalIndex', () => {
  it('counts distinct matched terms and weighs rarer terms higher', () => {
    const index = new LexicalIndex();
    index.add(1, 'green tea every morning');
    index.add(2, 'black coffee every morning');
    index.add(3, 'green green green');
    const hits = new Map(index.search(['green', 'tea']).map((hit) => [hit.id, hit]));
    expect(hits.get(1)!.matched).toBe(2);
    expect(hits.get(3)!.matched).toBe(1);
    expect(hits.has(2)).toBe(false);
    const morning = index.search(['morning', 'tea']);
    const byId = new Map(morning.map((hit) => [hit.id, hit.weight]));
    // "tea" is in one document, "morning" in two: matching the rarer word weighs more.
    expect(byId.get(1)!).toBeGreaterThan(byId.get(2)!);
  });

  it('forgets removed documents and keeps the rest, even when ids arrive out of order', () => {
    const index = new LexicalIndex();
    index.add(5, 'sailing boat');
    index.add(2, 'sailing lessons');
    index.add(9, 'boat repair');
    index.remove(5, 'sailing boat');
    expect(index.search(['sailing']).map((hit) => hit.id)).toEqual([2]);
    expect(index.search(['boat']).map((hit) => hit.id)).toEqual([9]);
    index.remove(2, 'sailing lessons');
    expect(index.search(['sailing'])).toEqual([]);
  });

  it('applies the acceptance test once per document', () => {
    const index = new LexicalIndex();
    index.add(1, 'alpha beta');
    index.add(2, 'alpha beta');
    const asked: number[] = [];
    const hits = index.search(['alpha', 'beta'], (id) => {
      asked.push(id);
      return id === 2;
    });
    expect(hits).toEqual([{ id: 2, matched: 2, weight: expect.any(Number) }]);
    expect(asked.sort()).toEqual([1, 2]);
  });

  it('finds every document with its matched count, for short queries and for queries of many terms', () => {
    const index = new LexicalIndex();
    const words = Array.from({ length: 12 }, (_, i) => `w${i}`);
    const texts = Array.from({ length: 30 }, (_, id) => words.filter((_, i) => (id * 7 + i) % 4 === 0 || id % (i + 2) === 0));
    texts.forEach((text, id) => index.add(id, text.join(' ')));
    for (const query of [words.slice(0, 3), words.slice(0, 8), [...words, 'absent']]) {
      const expected = texts
        .map((text, id) => ({ id, matched: query.filter((word) => text.includes(word)).length }))
        .filter((hit) => hit.matched > 0 && hit.id % 5 !== 0);
      const hits = index.search(query, (id) => id % 5 !== 0).sort((a, b) => a.id - b.id);
      expect(hits.map(({ id, matched }) => ({ id, matched }))).toEqual(expected);
    }
  });
});
