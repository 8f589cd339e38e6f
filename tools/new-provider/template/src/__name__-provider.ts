import {
  MemoryError,
  MemoryNotFoundError,
  MemoryValidationError,
  type AddOptions,
  type CallOptions,
  type GetAllOptions,
  type Memory,
  type MemoryCapabilities,
  type MemoryPage,
  type MemoryProvider,
  type Message,
  type Metadata,
  type SearchOptions,
} from '@fastagentic/memory';
import {
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  base64UrlEncode,
  categoriesFromMetadata,
  compareRanked,
  DEFAULT_TIMEOUT_MS,
  errorFromNetworkFailure,
  matchesFilter,
  messagesToMemoryText,
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseRetryPolicy,
  parseSearchOptions,
  positiveNumberOption,
  scoreTerms,
  terms,
  urlOption,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  withRetry,
  type RetryOptions,
  type RetryPolicy,
} from '@fastagentic/memory/provider';
import { MapStore, type __Pascal__Store } from './__name__-store.js';

export interface __Pascal__ProviderOptions {
  /** Where the service listens. */
  baseUrl?: string;
  /** Per-request timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Retries of failed calls. Default `DEFAULT_RETRY_POLICY`. */
  retry?: RetryOptions;
  /** The backend. Default: an in-process Map, until the service's client is wired in. */
  store?: __Pascal__Store;
}

const CURSOR = /^o1\.([0-9a-z]{1,8})$/;

/**
 * __Pascal__ behind the MemoryProvider contract. Validation, filters, relevance, retries and
 * errors come from `@fastagentic/memory/provider`; this file is the backend logic only.
 */
export class __Pascal__Provider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider = '__name__';
  readonly capabilities: MemoryCapabilities = {
    semanticSearch: false,
    filters: ALL_FILTER_CAPABILITIES,
    ttl: false,
    consistency: 'strong',
    addResult: 'memory-id',
    storage: 'verbatim',
    idempotentAdd: true,
  };
  readonly baseUrl: string | undefined;
  readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly store: __Pascal__Store;

  constructor(options: __Pascal__ProviderOptions = {}) {
    this.baseUrl = urlOption(options.baseUrl, 'baseUrl');
    this.timeoutMs = positiveNumberOption(options.timeoutMs, 'timeoutMs', DEFAULT_TIMEOUT_MS);
    this.retry = parseRetryPolicy(options.retry);
    this.store = options.store ?? new MapStore();
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const user = validateUserId(userId);
    const text = messagesToMemoryText(validateMessages(messages));
    const validMetadata = validateMetadata(metadata);
    const { signal, idempotencyKey } = parseAddOptions(options);
    signal?.throwIfAborted();
    const now = new Date().toISOString();
    const memory: Memory = { id: crypto.randomUUID(), userId: user, memory: text, metadata: validMetadata, createdAt: now, updatedAt: now };
    const categories = categoriesFromMetadata(validMetadata);
    if (categories) memory.categories = categories;
    const stored = idempotencyKey === undefined ? { memory } : { memory, idempotencyKey };
    // With an idempotency key a retry cannot store twice; without one, a write that may have
    // landed is retried only when the service said it did not apply it.
    return this.call('add', signal, () => this.store.insert(base64UrlEncode(user), stored), {
      unsafeWrite: idempotencyKey === undefined,
    });
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const queryTerms = [...new Set(terms(validateQuery(query)))];
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    signal?.throwIfAborted();
    const stored = await this.call('search', signal, () => this.store.list(base64UrlEncode(user)));
    const termLists = stored.map(({ memory }) => terms(memory.memory));
    const stats = {
      memoryCount: stored.length,
      totalTermCount: termLists.reduce((sum, list) => sum + list.length, 0),
      documentFrequency: (term: string) => termLists.filter((list) => list.includes(term)).length,
    };
    const results: Memory[] = [];
    for (const [index, { memory }] of stored.entries()) {
      const list = termLists[index]!;
      const termFrequency = (term: string) => list.filter((candidate) => candidate === term).length;
      const score = scoreTerms(queryTerms, { termFrequency, length: list.length }, stats);
      if (score > 0 && score >= minRelevance && matchesFilter(memory, filter)) results.push({ ...memory, score });
    }
    return results.sort(compareRanked).slice(0, limit);
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    const offset = cursor === undefined ? 0 : decodeCursor(cursor);
    signal?.throwIfAborted();
    const stored = await this.call('getAll', signal, () => this.store.list(base64UrlEncode(user)));
    const matching = stored.map(({ memory }) => memory).filter((memory) => matchesFilter(memory, filter));
    const memories = matching.slice(offset, offset + limit);
    const next = offset + memories.length;
    return { memories, nextCursor: next < matching.length ? `o1.${next.toString(36)}` : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const stored = await this.call('get', signal, () => this.store.list(base64UrlEncode(user)));
    return stored.find(({ memory }) => memory.id === id)?.memory ?? null;
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    if (!(await this.call('delete', signal, () => this.store.remove(base64UrlEncode(user), id)))) {
      throw new MemoryNotFoundError(id);
    }
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    return this.call('deleteAll', signal, () => this.store.removeAll(base64UrlEncode(user)));
  }

  /**
   * One backend call with the shared retries; whatever the client throws leaves as the core's
   * typed errors. An HTTP service is called through `HttpJsonClient` instead, which does both.
   */
  private call<T>(operation: string, signal: AbortSignal | undefined, run: () => Promise<T>, options: { unsafeWrite?: boolean } = {}): Promise<T> {
    return withRetry(
      async () => {
        try {
          return await run();
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          throw MemoryError.isInstance(error) ? error : errorFromNetworkFailure(this.provider, operation, error, options);
        }
      },
      { policy: this.retry, signal },
    );
  }
}

function decodeCursor(cursor: string): number {
  const match = CURSOR.exec(cursor);
  if (!match) throw new MemoryValidationError('options.cursor', 'not a cursor returned by this provider');
  return Number.parseInt(match[1]!, 36);
}
