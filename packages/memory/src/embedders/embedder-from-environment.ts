import { MemoryConfigurationError } from '../spec/memory-error.js';
import { OpenAICompatibleEmbedder } from './openai-compatible-embedder.js';

export interface EmbedderFromEnvironment {
  embedder: OpenAICompatibleEmbedder;
  /** The startup log line, e.g. `embedder: text-embedding-3-small at https://api.openai.com/v1`; never the key. */
  description: string;
}

/**
 * The embedder a server's environment names: FASTAGENTIC_EMBEDDER_URL (an OpenAI-compatible
 * `/embeddings` base URL), FASTAGENTIC_EMBEDDER_MODEL (default text-embedding-3-small),
 * FASTAGENTIC_EMBEDDER_API_KEY and FASTAGENTIC_EMBEDDER_DIMENSIONS. Undefined when none is set; a partial setting is refused naming
 * the missing variable. Reads the object it is given (Workers' `env`, Node's `process.env`).
 */
export function embedderFromEnvironment(env: Record<string, string | undefined>): EmbedderFromEnvironment | undefined {
  const url = env.FASTAGENTIC_EMBEDDER_URL;
  const model = env.FASTAGENTIC_EMBEDDER_MODEL;
  const apiKey = env.FASTAGENTIC_EMBEDDER_API_KEY;
  const dimensionsText = env.FASTAGENTIC_EMBEDDER_DIMENSIONS;
  if (!url && !model && !apiKey && !dimensionsText) return undefined;
  if (!url) throw new MemoryConfigurationError('FASTAGENTIC_EMBEDDER_URL', 'set the embeddings base URL with the other FASTAGENTIC_EMBEDDER_ settings');
  const dimensions = dimensionsText === undefined ? undefined : Number(dimensionsText);
  if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions > 0)) {
    throw new MemoryConfigurationError('FASTAGENTIC_EMBEDDER_DIMENSIONS', 'must be a positive integer');
  }
  let embedder: OpenAICompatibleEmbedder;
  try {
    embedder = new OpenAICompatibleEmbedder({ baseURL: url, ...(model ? { model } : {}), ...(apiKey ? { apiKey } : {}), ...(dimensions ? { dimensions } : {}) });
  } catch (error) {
    if (!MemoryConfigurationError.isInstance(error)) throw error;
    throw new MemoryConfigurationError('FASTAGENTIC_EMBEDDER_URL', error.message, { cause: error });
  }
  const where = url.replace(/\/\/[^@/]*@/, '//');
  return { embedder, description: `embedder: ${embedder.modelId} at ${where}${dimensions ? ` (${dimensions} dimensions)` : ''}` };
}
