import { describe, expect, it } from 'vitest';
import { TERMS_GOLDEN } from './terms-golden.js';
import { terms, TERMS_VERSION } from './terms.js';

// Runs on Node and in workerd (vitest.workerd.config.ts): both must reproduce the terms recorded
// by scripts/write-terms-golden.ts, so every runtime indexes and queries with the same terms.
describe('terms on this runtime', () => {
  it('reproduces the recorded terms of a fixed multilingual corpus, under the same TERMS_VERSION', () => {
    expect(TERMS_GOLDEN.version).toBe(TERMS_VERSION);
    expect(TERMS_GOLDEN.entries.length).toBeGreaterThan(20);
    for (const { text, terms: recorded } of TERMS_GOLDEN.entries) expect(terms(text), text).toEqual(recorded);
  });
});
