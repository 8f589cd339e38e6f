import type { CallOptions } from '../spec/memory-provider.js';

/** Turns texts into vectors, many at once. All vectors of one embedder have the same length. */
export interface Embedder {
  // `| undefined` on the optional fields: an implementation that holds an optional setting
  // (`readonly dimensions = options.dimensions`) must compile under exactOptionalPropertyTypes.
  /** Vector length, when known before the first call. */
  readonly dimensions?: number | undefined;
  /**
   * The model the vectors come from (e.g. `text-embedding-3-small`). Stores that keep vectors
   * record it with their length, and never compare vectors of different models or lengths.
   */
  readonly modelId?: string | undefined;
  embed(texts: string[], options?: CallOptions): Promise<number[][]>;
}

/** Cosine similarity clamped to [0, 1]: opposite or unrelated vectors score 0. */
export function cosineRelevance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  if (normA === 0 || normB === 0) return 0;
  return Math.max(0, Math.min(1, dot / Math.sqrt(normA * normB)));
}
