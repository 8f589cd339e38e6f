import { describe, expect, it } from 'vitest';
import { compareRanked, roundScore, scoreTerms, type TermStatistics } from './score-terms.js';
import { terms } from './terms.js';

function statisticsOf(texts: string[]): TermStatistics {
  const all = texts.map(terms);
  return {
    memoryCount: all.length,
    totalTermCount: all.reduce((sum, list) => sum + list.length, 0),
    documentFrequency: (term) => all.filter((list) => list.includes(term)).length,
  };
}

function score(query: string, memory: string, stats: TermStatistics): number {
  const memoryTerms = terms(memory);
  return scoreTerms([...new Set(terms(query))], {
    termFrequency: (term) => memoryTerms.filter((t) => t === term).length,
    length: memoryTerms.length,
  }, stats);
}

describe('scoreTerms', () => {
  const corpus = [
    'I like red apples',
    'On Sunday we drove past a red barn, bought apples, pears, bread and cheese, then went home early',
    'My sister lives in Lisbon',
    'The dentist appointment is on Monday',
  ];
  const stats = statisticsOf(corpus);

  it('gives a memory made of exactly the query 1, and weighs length', () => {
    expect(score('red apples', 'red apples', stats)).toBe(1);
    const short = score('red apples', corpus[0]!, stats);
    const long = score('red apples', corpus[1]!, stats);
    expect(short).toBeGreaterThan(0.7);
    expect(long).toBeLessThan(short);
    expect(score('red apples', corpus[2]!, stats)).toBe(0);
  });

  it('weighs rare terms above common ones', () => {
    const common = statisticsOf(['tea', 'tea cake', 'tea time', 'tea pot', 'lisbon']);
    expect(score('tea lisbon', 'lisbon', common)).toBeGreaterThan(score('tea lisbon', 'tea', common));
  });

  it('gives sensible scores for a user with a single memory', () => {
    const one = statisticsOf(['My favourite colour is blue']);
    expect(score('favorite color', 'My favourite colour is blue', one)).toBeGreaterThan(0.7);
    expect(score('blue', 'My favourite colour is blue', one)).toBeGreaterThan(0.5);
    expect(score('favorite food', 'My favourite colour is blue', one)).toBeLessThan(0.5);
  });

  it('keeps the best match above a usual threshold when the query has words no memory holds', () => {
    const memories = ['I am vegetarian', 'My favourite colour is teal', 'I live in Berlin', 'My sister is called Anna'];
    const user = statisticsOf(memories);
    expect(score('vegetarian dinner ideas', 'I am vegetarian', user)).toBeGreaterThan(0.3);
    expect(score('vegetarian dinner ideas', 'I live in Berlin', user)).toBe(0);
  });

  it('scores a one-word query against a long memory that merely contains it well below 1', () => {
    const long =
      'On the drive back from the conference we talked about budgets, hiring plans, the office move, quarterly targets, ' +
      'a new coffee machine and the holiday schedule for the whole team';
    expect(score('coffee', long, statisticsOf([...corpus, long]))).toBeLessThan(0.8);
  });

  it('is in [0, 1] and rounded to 1e-9', () => {
    for (const query of ['red', 'apples red barn', 'sister', 'nothing here']) {
      for (const memory of corpus) {
        const value = score(query, memory, stats);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
        expect(roundScore(value)).toBe(value);
      }
    }
    expect(roundScore(0.2096999680000001)).toBe(0.209699968);
  });
});

describe('compareRanked', () => {
  it('orders by score, then newest, then id', () => {
    const ranked = [
      { id: 'b', createdAt: '2026-01-01T00:00:00.000Z', score: 0.5 },
      { id: 'a', createdAt: '2026-01-01T00:00:00.000Z', score: 0.5 },
      { id: 'c', createdAt: '2026-01-02T00:00:00.000Z', score: 0.5 },
      { id: 'd', createdAt: '2025-01-01T00:00:00.000Z', score: 0.9 },
    ].sort(compareRanked);
    expect(ranked.map((memory) => memory.id)).toEqual(['d', 'c', 'a', 'b']);
  });
});
