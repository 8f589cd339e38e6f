import { describe, expect, it } from 'vitest';
import { LexicalIndex } from './lexical-index.js';
import { scoreTerms } from './score-terms.js';
import { terms } from './terms.js';

function scoreByHand(index: LexicalIndex, texts: Map<number, string>, query: string, id: number): number {
  const memoryTerms = terms(texts.get(id)!);
  return scoreTerms([...new Set(terms(query))], {
    termFrequency: (term) => memoryTerms.filter((t) => t === term).length,
    length: memoryTerms.length,
  }, index);
}

describe('LexicalIndex', () => {
  it('scores every match exactly as scoreTerms does, over statistics it keeps itself', () => {
    const index = new LexicalIndex();
    const texts = new Map<number, string>();
    const corpus = [
      'green tea every morning',
      'black coffee every morning',
      'green green green tea',
      'a long note about tea, coffee, mornings, evenings, biscuits and green fields in spring',
      '我喜欢喝绿茶',
    ];
    corpus.forEach((text, id) => {
      index.add(id, text);
      texts.set(id, text);
    });
    expect(index.memoryCount).toBe(5);
    expect(index.totalTermCount).toBe(corpus.reduce((sum, text) => sum + terms(text).length, 0));
    expect(index.documentFrequency('green')).toBe(3);
    for (const query of ['green tea', 'mornings', 'coffee tea green morning evening', '绿茶', 'absent words only']) {
      const hits = index.search([...new Set(terms(query))]);
      for (const hit of hits) expect(hit.score).toBe(scoreByHand(index, texts, query, hit.id));
      const expected = [...texts.keys()].filter((id) => scoreByHand(index, texts, query, id) > 0);
      expect(hits.map((hit) => hit.id).sort()).toEqual(expected);
    }
  });

  it('forgets removed memories, statistics included, even when ids arrive out of order', () => {
    const index = new LexicalIndex();
    index.add(5, 'sailing boat');
    index.add(2, 'sailing lessons');
    index.add(9, 'boat repair');
    index.remove(5, 'sailing boat');
    expect(index.search(terms('sailing')).map((hit) => hit.id)).toEqual([2]);
    expect(index.search(terms('boats')).map((hit) => hit.id)).toEqual([9]);
    expect([index.memoryCount, index.totalTermCount, index.documentFrequency('sail')]).toEqual([2, 4, 1]);
    index.remove(2, 'sailing lessons');
    expect(index.search(terms('sailing'))).toEqual([]);
  });

  it('computes rarity over every memory even when a filter accepts only some', () => {
    const index = new LexicalIndex();
    const texts = new Map([[1, 'tea'], [2, 'tea and cake'], [3, 'cake']]);
    for (const [id, text] of texts) index.add(id, text);
    const asked: number[] = [];
    const hits = index.search(terms('tea cake'), (id) => {
      asked.push(id);
      return id === 2;
    });
    expect(hits).toEqual([{ id: 2, score: scoreByHand(index, texts, 'tea cake', 2) }]);
    expect(asked.sort()).toEqual([1, 2, 3]);
  });

  it('finds every memory for short queries and for queries of many terms (merge and tally agree)', () => {
    const index = new LexicalIndex();
    const words = Array.from({ length: 12 }, (_, i) => `w${i}x`);
    const texts = new Map<number, string>();
    for (let id = 0; id < 30; id++) {
      const text = words.filter((_, i) => (id * 7 + i) % 4 === 0 || id % (i + 2) === 0).join(' ');
      texts.set(id, text);
      index.add(id, text);
    }
    for (const query of [words.slice(0, 3), words.slice(0, 8), [...words, 'absent']].map((list) => list.join(' '))) {
      const accept = (id: number) => id % 5 !== 0;
      const hits = index.search([...new Set(terms(query))], accept).sort((a, b) => a.id - b.id);
      const expected = [...texts.keys()]
        .filter((id) => accept(id) && scoreByHand(index, texts, query, id) > 0)
        .map((id) => ({ id, score: scoreByHand(index, texts, query, id) }));
      expect(expected.length).toBeGreaterThan(0);
      expect(hits).toEqual(expected);
    }
  });
});
