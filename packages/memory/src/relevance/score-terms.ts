/**
 * The statistics a store keeps per user (over that user's live memories only) so that scoring
 * needs no scan: how many memories, their total term count, and in how many memories a term occurs.
 */
export interface TermStatistics {
  /** The user's live memories. */
  memoryCount: number;
  /** Sum of the term counts (`terms(text).length`) of the user's live memories. */
  totalTermCount: number;
  /** In how many of the user's live memories the term occurs (at least once). */
  documentFrequency(term: string): number;
}

export interface ScoredMemoryTerms {
  /** How often each query term occurs in the memory (missing or 0: absent). */
  termFrequency(term: string): number;
  /** The memory's term count, `terms(text).length`. */
  length: number;
}

const K1 = 1.2;
const B = 0.75;
/** Scores are rounded to this before ties are broken, so JS, Lua and SQL rank alike. */
export const SCORE_PRECISION = 1e-9;

function idf(documentFrequency: number, memoryCount: number): number {
  return Math.log(1 + (memoryCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

/**
 * Absolute lexical relevance in [0, 1] of one memory for distinct `queryTerms`: BM25 (rarity of
 * each matched term, saturating frequency, length normalisation) divided by what a memory made
 * of exactly the query's terms would score, then rounded to SCORE_PRECISION.
 */
export function scoreTerms(queryTerms: readonly string[], memory: ScoredMemoryTerms, stats: TermStatistics): number {
  if (queryTerms.length === 0 || stats.memoryCount === 0) return 0;
  const averageLength = stats.totalTermCount / stats.memoryCount || 1;
  const perfectNorm = K1 * (1 - B + (B * queryTerms.length) / averageLength);
  const norm = K1 * (1 - B + (B * memory.length) / averageLength);
  let score = 0;
  let perfect = 0;
  for (const term of queryTerms) {
    const weight = idf(stats.documentFrequency(term), stats.memoryCount);
    perfect += (weight * (K1 + 1)) / (1 + perfectNorm);
    const tf = memory.termFrequency(term);
    if (tf > 0) score += (weight * tf * (K1 + 1)) / (tf + norm);
  }
  if (perfect <= 0) return 0;
  return roundScore(Math.min(1, score / perfect));
}

export function roundScore(score: number): number {
  return Math.round(score / SCORE_PRECISION) * SCORE_PRECISION;
}

export interface RankedMemory {
  score?: number | undefined;
  createdAt: string;
  id: string;
}

/** The search order every provider gives: higher score first; equal scores newest first, then id. */
export function compareRanked(a: RankedMemory, b: RankedMemory): number {
  const byScore = (b.score ?? 0) - (a.score ?? 0);
  if (byScore !== 0) return byScore;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
