import { MemoryValidationError, ProviderUnavailableError, type CallOptions, type Embedder } from '@fastagentic/memory';
import { DEFAULT_RETRY_POLICY, withRetry } from '@fastagentic/memory/provider';

/** What the embedder uses of an AI SDK embedding model: EmbeddingModelV2<string> (`ai` 5) and EmbeddingModelV3 (`ai` 6) both fit. */
export interface EmbeddingModelShape {
  readonly provider: string;
  readonly modelId: string;
  readonly maxEmbeddingsPerCall: PromiseLike<number | undefined> | number | undefined;
  readonly supportsParallelCalls: PromiseLike<boolean> | boolean;
  doEmbed(options: { values: string[]; abortSignal?: AbortSignal }): PromiseLike<{ embeddings: ReadonlyArray<ReadonlyArray<number>> }>;
}

export interface AiSdkEmbedderOptions {
  /** The vector length, when known before the first call (every returned vector is checked against it). */
  dimensions?: number;
}

export interface AiSdkEmbedder extends Embedder {
  /** `provider/modelId` of the embedding model, e.g. `openai.embedding/text-embedding-3-small`. */
  readonly modelId: string;
}

/** The AI SDK's APICallError and friends say whether a retry can help; anything else is treated as final. */
function toProviderError(name: string, error: unknown): ProviderUnavailableError {
  if (ProviderUnavailableError.isInstance(error)) return error;
  const details = (typeof error === 'object' && error !== null ? error : {}) as { isRetryable?: unknown; statusCode?: unknown };
  return new ProviderUnavailableError(name, error instanceof Error ? error.message : String(error), {
    isRetryable: details.isRetryable === true,
    ...(typeof details.statusCode === 'number' ? { statusCode: details.statusCode } : {}),
    cause: error,
  });
}

/**
 * Any AI SDK embedding model (`openai.embedding('text-embedding-3-small')`, Ollama, Voyage,
 * Cohere, ...) as the core's `Embedder`, so semantic search runs on the SDK the app already has.
 * Inputs above the model's `maxEmbeddingsPerCall` are split; retryable failures are retried with
 * the core's retry policy.
 */
export function aiSdkEmbedder(model: EmbeddingModelShape, options: AiSdkEmbedderOptions = {}): AiSdkEmbedder {
  const name = `ai-sdk:${model.provider}`;
  const { dimensions } = options;
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0)) {
    throw new MemoryValidationError('dimensions', 'must be a positive integer');
  }

  const embedBatch = async (values: string[], signal: AbortSignal | undefined): Promise<number[][]> => {
    const { embeddings } = await withRetry(
      async () => {
        try {
          return await model.doEmbed({ values, ...(signal ? { abortSignal: signal } : {}) });
        } catch (error) {
          throw toProviderError(name, error);
        }
      },
      { policy: DEFAULT_RETRY_POLICY, signal },
    );
    if (embeddings.length !== values.length) {
      throw new ProviderUnavailableError(name, `returned ${embeddings.length} embeddings for ${values.length} texts`, { isRetryable: false });
    }
    return embeddings.map((vector) => {
      if (dimensions !== undefined && vector.length !== dimensions) {
        throw new ProviderUnavailableError(name, `returned a vector of length ${vector.length}, expected ${dimensions}`, { isRetryable: false });
      }
      return Array.from(vector);
    });
  };

  return {
    modelId: `${model.provider}/${model.modelId}`,
    ...(dimensions !== undefined ? { dimensions } : {}),
    async embed(texts: string[], callOptions?: CallOptions): Promise<number[][]> {
      if (texts.length === 0) return [];
      const signal = callOptions?.signal;
      const max = (await model.maxEmbeddingsPerCall) ?? Number.POSITIVE_INFINITY;
      if (texts.length <= max) return embedBatch(texts, signal);
      const batches: string[][] = [];
      for (let start = 0; start < texts.length; start += max) batches.push(texts.slice(start, start + max));
      if (await model.supportsParallelCalls) return (await Promise.all(batches.map((batch) => embedBatch(batch, signal)))).flat();
      const vectors: number[][] = [];
      for (const batch of batches) vectors.push(...(await embedBatch(batch, signal)));
      return vectors;
    },
  };
}
