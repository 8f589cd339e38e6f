import { tokenizeForRelevance } from './lexical-relevance.js';

/**
 * Changes whenever `terms()` can give different output for the same text. Stores that index
 * terms record it beside their index and re-index on a mismatch, never mixing two versions.
 */
export const TERMS_VERSION = '1';

/**
 * The core's term pipeline: the terms of a text in order, repeats kept (their count is the
 * term frequency). Every provider that ranks lexically indexes and queries with these terms and
 * never tokenizes on its own.
 */
export function terms(text: string): string[] {
  return tokenizeForRelevance(text);
}
