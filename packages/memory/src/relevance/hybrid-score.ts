import { roundScore } from './score-terms.js';

/**
 * How the lexical score and the embedding similarity of a memory combine when an embedder is
 * configured: `1 − (1 − lexical)(1 − cosine)`, a probabilistic OR. Either signal alone keeps its
 * value (a paraphrase with cosine 0.8 and no shared word scores 0.8; an exact match of a name
 * or number scores 1 whatever the embedder thinks), and both together reinforce each other, so
 * the exact match still outranks memories that are merely similar. Result in [0, 1], rounded
 * like `scoreTerms` so every store breaks ties alike.
 */
export function hybridScore(lexical: number, cosine: number): number {
  const combined = 1 - (1 - clamp(lexical)) * (1 - clamp(cosine));
  return roundScore(combined);
}

function clamp(score: number): number {
  return score > 1 ? 1 : score > 0 ? score : 0;
}
