import type { Embedder } from './embedder.js';
import { MemoryConfigurationError, ProviderUnavailableError } from '../spec/memory-error.js';
import type { CallOptions } from '../spec/memory-provider.js';

export interface OpenAICompatibleEmbedderOptions {
  /** Server root including the version, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:11434/v1` (Ollama). */
  baseURL?: string;
  /** Sent as a bearer token when set; local servers usually need none. */
  apiKey?: string;
  model?: string;
  /** Requested vector length (OpenAI `dimensions`); every returned vector is checked against it. */
  dimensions?: number;
  /** Texts per request; larger inputs are split into several requests. */
  batchSize?: number;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

interface EmbeddingResponse {
  data?: Array<{ embedding?: unknown; index?: number }>;
}

const PROVIDER = 'openai-compatible-embedder';

/** An Embedder over any server that speaks OpenAI's `POST /embeddings` (OpenAI, Ollama, vLLM, LM Studio...). */
export class OpenAICompatibleEmbedder implements Embedder {
  readonly dimensions: number | undefined;
  /** The `model` sent to the server. */
  readonly modelId: string;
  private readonly baseURL: string;
  private readonly apiKey: string | undefined;
  private readonly model: string;
  private readonly batchSize: number;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly headers: Record<string, string>;

  constructor(options: OpenAICompatibleEmbedderOptions = {}) {
    this.baseURL = (options.baseURL ?? 'https://api.openai.com/v1').replace(/\/+$/, '');
    try {
      new URL(this.baseURL);
    } catch (cause) {
      throw new MemoryConfigurationError('baseURL', `not a URL: ${this.baseURL}`, { cause });
    }
    if (options.dimensions !== undefined && !(Number.isInteger(options.dimensions) && options.dimensions > 0)) {
      throw new MemoryConfigurationError('dimensions', 'must be a positive integer');
    }
    if (options.batchSize !== undefined && !(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
      throw new MemoryConfigurationError('batchSize', 'must be a positive integer');
    }
    this.apiKey = options.apiKey;
    this.model = options.model ?? 'text-embedding-3-small';
    this.modelId = this.model;
    this.dimensions = options.dimensions;
    this.batchSize = options.batchSize ?? 256;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.headers = options.headers ?? {};
  }

  async embed(texts: string[], options: CallOptions = {}): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.batchSize), options.signal)));
    }
    return vectors;
  }

  private async embedBatch(input: string[], signal: AbortSignal | undefined): Promise<number[][]> {
    const body: Record<string, unknown> = { model: this.model, input };
    if (this.dimensions !== undefined) body.dimensions = this.dimensions;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseURL}/embeddings`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.apiKey === undefined ? {} : { authorization: `Bearer ${this.apiKey}` }),
          ...this.headers,
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new ProviderUnavailableError(PROVIDER, `request to ${this.baseURL} failed`, { isRetryable: true, cause });
    }
    if (!response.ok) {
      const detail = await response.text().catch(() => '');
      throw new ProviderUnavailableError(PROVIDER, `HTTP ${response.status}${detail ? `: ${detail.slice(0, 200)}` : ''}`, {
        isRetryable: response.status === 429 || response.status >= 500,
        statusCode: response.status,
      });
    }
    const json = (await response.json()) as EmbeddingResponse;
    const data = json.data;
    if (!Array.isArray(data) || data.length !== input.length) {
      throw new ProviderUnavailableError(PROVIDER, `expected ${input.length} embeddings in "data"`, { isRetryable: false });
    }
    const ordered = [...data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    return ordered.map((item) => {
      const vector = item.embedding;
      if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number')) {
        throw new ProviderUnavailableError(PROVIDER, 'an embedding is not an array of numbers', { isRetryable: false });
      }
      if (this.dimensions !== undefined && vector.length !== this.dimensions) {
        throw new ProviderUnavailableError(
          PROVIDER,
          `embedding has ${vector.length} dimensions, configured for ${this.dimensions}`,
          { isRetryable: false },
        );
      }
      return vector as number[];
    });
  }
}
