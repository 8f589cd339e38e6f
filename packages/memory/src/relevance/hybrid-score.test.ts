import { describe, expect, it } from 'vitest';
import { hybridScore } from './hybrid-score.js';

describe('hybridScore', () => {
  it('keeps either signal alone, lets an exact lexical match win, and stays in [0, 1]', () => {
    expect(hybridScore(0, 0.8)).toBe(0.8);
    expect(hybridScore(0.8, 0)).toBe(0.8);
    expect(hybridScore(1, 0.2)).toBe(1);
    expect(hybridScore(0.5, 0.5)).toBe(0.75);
    // An exact name match with a middling cosine beats a closer paraphrase sharing no word.
    expect(hybridScore(0.9, 0.5)).toBeGreaterThan(hybridScore(0, 0.85));
    expect(hybridScore(-0.2, 1.5)).toBe(1);
    expect(hybridScore(0, -0.3)).toBe(0);
  });
});
