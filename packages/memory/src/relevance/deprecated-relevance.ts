import { terms } from './terms.js';

/** @deprecated Use `terms` from `@fastagentic/memory/provider`: the same pipeline under its contract name. */
export function tokenizeForRelevance(text: string): string[] {
  return terms(text);
}

/**
 * @deprecated The share of the query's terms a memory contains, ignoring rarity and length (the
 * ranking before Relevance v2). Use `scoreTerms` from `@fastagentic/memory/provider`.
 */
export function lexicalRelevance(queryTerms: readonly string[], matchedTerms: number): number {
  if (queryTerms.length === 0) return 0;
  return Math.min(1, matchedTerms / queryTerms.length);
}
