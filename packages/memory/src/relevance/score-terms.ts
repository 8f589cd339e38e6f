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

/**
 * BM25 term-frequency saturation: how quickly repeats of a term stop adding to the score.
 * K1 and B were chosen on the labelled pairs of the relevance benchmark (see the README): short
 * memories make length matter less than in documents, so B is lower than the usual 0.75.
 */
export const RELEVANCE_K1 = 0.9;
/** BM25 length normalisation: 0 ignores a memory's length, 1 divides fully by it relative to the average. */
export const RELEVANCE_B = 0.3;
/** Scores are rounded to this before ties are broken, so JS, Lua and SQL rank alike. */
export const SCORE_PRECISION = 1e-9;

/** Rarity of a term the user's memories contain `documentFrequency` times out of `memoryCount` (BM25+, always > 0). */
export function inverseDocumentFrequency(documentFrequency: number, memoryCount: number): number {
  return Math.log(1 + (memoryCount - documentFrequency + 0.5) / (documentFrequency + 0.5));
}

/**
 * What scoring one query needs, computed once and shared by every candidate: each query term's
 * rarity and the BM25 score of a memory made of exactly the query's terms (the perfect match).
 */
export interface PreparedQuery {
  /** Rarity of each query term, in query order. */
  readonly weights: readonly number[];
  /** BM25 of the perfect match; a memory's score is divided by it. */
  readonly perfect: number;
  readonly averageLength: number;
}

/**
 * How much a query term that none of the user's memories contains weighs in the perfect match,
 * as a share of its rarity. No memory can match it, and at full weight (the rarest of all) it
 * pushed the best match below any usual threshold ("I am vegetarian" scored 0.12 for "vegetarian
 * dinner ideas"); at 0 a query half made of unknown words would still score a full match 1.
 * Chosen on the formation eval (packages/memory/README.md). Within one query every score is
 * divided by the same perfect match, so the ranking does not depend on it.
 */
export const UNHELD_TERM_SHARE = 0.25;

export function prepareQuery(queryTerms: readonly string[], stats: TermStatistics): PreparedQuery {
  const averageLength = stats.totalTermCount / stats.memoryCount || 1;
  const perfectNorm = RELEVANCE_K1 * (1 - RELEVANCE_B + (RELEVANCE_B * queryTerms.length) / averageLength);
  const weights: number[] = [];
  let perfect = 0;
  for (const term of queryTerms) {
    const frequency = stats.documentFrequency(term);
    const weight = inverseDocumentFrequency(frequency, stats.memoryCount);
    weights.push(weight);
    const share = frequency > 0 ? weight : weight * UNHELD_TERM_SHARE;
    perfect += (share * (RELEVANCE_K1 + 1)) / (1 + perfectNorm);
  }
  return { weights, perfect, averageLength };
}

/** The BM25 length factor of a memory of `length` terms; `scorePrepared` takes it so a caller can reuse it. */
export function lengthNorm(length: number, averageLength: number): number {
  return RELEVANCE_K1 * (1 - RELEVANCE_B + (RELEVANCE_B * length) / averageLength);
}

/** One matched term's contribution: `weight` from the prepared query, `norm` from `lengthNorm`. */
export function termContribution(weight: number, termFrequency: number, norm: number): number {
  return (weight * termFrequency * (RELEVANCE_K1 + 1)) / (termFrequency + norm);
}

/** The final score from the summed contributions (in query-term order): divided by the perfect match, clamped, rounded. */
export function finishScore(sum: number, prepared: PreparedQuery): number {
  if (!(prepared.perfect > 0)) return 0;
  return roundScore(Math.min(1, sum / prepared.perfect));
}

/**
 * Absolute lexical relevance in [0, 1] of one memory for distinct `queryTerms`: BM25 (rarity of
 * each matched term, saturating frequency, length normalisation) divided by what a memory made
 * of exactly the query's terms would score, then rounded to SCORE_PRECISION.
 */
export function scoreTerms(queryTerms: readonly string[], memory: ScoredMemoryTerms, stats: TermStatistics): number {
  if (queryTerms.length === 0 || stats.memoryCount === 0) return 0;
  const prepared = prepareQuery(queryTerms, stats);
  const norm = lengthNorm(memory.length, prepared.averageLength);
  let sum = 0;
  for (let i = 0; i < queryTerms.length; i++) {
    const tf = memory.termFrequency(queryTerms[i]!);
    if (tf > 0) sum += termContribution(prepared.weights[i]!, tf, norm);
  }
  return finishScore(sum, prepared);
}

export function roundScore(score: number): number {
  // Multiplying by the inverse keeps results such as 0.209699968 exact in decimal (x / 1e-9 * 1e-9 does not).
  return Math.round(score * 1e9) / 1e9;
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
