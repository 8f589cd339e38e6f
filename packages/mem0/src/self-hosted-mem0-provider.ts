import { extractUserId, MemoryConfigurationError, MemoryError, MemoryNotFoundError, MemoryValidationError, ProviderUnavailableError, type AddOptions, type CallOptions, type GetAllOptions, type Memory, type MemoryCapabilities, type MemoryPage, type MemoryProvider, type Message, type Metadata, type SearchOptions } from '@fastagentic/memory';
import {
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  compareRanked,
  matchesFilter,
  MEMORY_LIMITS,
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseSearchOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
} from '@fastagentic/memory/provider';
import type { Memory as Mem0Memory, MemoryItem } from 'mem0ai/oss';
import { escapeUserId } from './escape-user-id.js';
import { loadOptionalPeer } from './load-optional-peer.js';
import { decodePageCursor, encodePageCursor } from './page-cursor.js';
import { toMem0OssConfig, type SelfHostedMem0Config } from './self-hosted-config.js';
import { toCoreMemory } from './to-core-memory.js';

export interface SelfHostedMem0ProviderOptions {
  /** The spec's self-hosted config: vector_store, llm, embedder, history_store. */
  config: SelfHostedMem0Config;
  /** Dotted path of the user id in a request context, for `userIdFrom`. Default `user.id`. */
  userIdField?: string;
  /** Lets mem0ai/oss send its analytics and write ~/.mem0. Default false: nothing is sent or written. */
  telemetry?: boolean;
  /** Most memories of one user read by getAll and filtered search. Default 10,000. */
  maxMemoriesPerUser?: number;
  /** `false`: store each message as given instead of extracting facts (`storage: 'verbatim'`). Default true. */
  infer?: boolean;
}

const PROVIDER = 'mem0-oss';
// mem0ai/oss keeps these in the same payload as user metadata: writing them would corrupt the record.
const RESERVED_METADATA_KEYS = new Set(['user_id', 'agent_id', 'run_id', 'hash', 'data', 'createdAt', 'updatedAt', 'textLemmatized', 'attributedTo', 'expiration_date']);

type MemoryInternals = Record<string, (this: Mem0Memory & { telemetry: boolean }, ...args: unknown[]) => unknown>;
type Mem0MemoryClass = new (config: never) => Mem0Memory & { telemetry: boolean };

let quietMemoryClass: Promise<Mem0MemoryClass> | undefined;

/**
 * mem0ai/oss Memory without its analytics, loaded on first use (mem0ai is an optional peer that
 * only this entry needs): unless telemetry is opted into, the methods that post events, fetch
 * notice flags or create ~/.mem0/config.json do nothing.
 */
function loadQuietMemory(): Promise<Mem0MemoryClass> {
  quietMemoryClass ??= loadOptionalPeer('mem0ai', 'Self-hosted Mem0 (@fastagentic/mem0/oss)', () => import('mem0ai/oss')).then(({ Memory }) => {
    const original = Memory.prototype as unknown as MemoryInternals;
    const telemetryMethods = Object.getOwnPropertyNames(Memory.prototype).filter((name) =>
      /^_(captureEvent|initializeTelemetry|getTelemetryId|getNoticeTelemetryId|display\w*Notice)$/.test(name),
    );
    if (!telemetryMethods.includes('_captureEvent') || !telemetryMethods.includes('_getTelemetryId')) {
      throw new MemoryConfigurationError('mem0ai', 'this mem0ai/oss version has other telemetry methods; use mem0ai ~3.3.1');
    }
    class QuietMemory extends Memory {
      telemetry = false;
    }
    const quiet = QuietMemory.prototype as unknown as MemoryInternals;
    for (const name of telemetryMethods) {
      quiet[name] = function (this: Mem0Memory & { telemetry: boolean }, ...args: unknown[]) {
        if (this.telemetry) return original[name]!.apply(this, args);
        return Promise.resolve(name.endsWith('TelemetryId') ? 'anonymous' : undefined);
      };
    }
    return QuietMemory as unknown as Mem0MemoryClass;
  });
  const loading = quietMemoryClass;
  loading.catch(() => {
    if (quietMemoryClass === loading) quietMemoryClass = undefined;
  });
  return loading;
}

function raceSignal<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function toProviderError(error: unknown): unknown {
  if (MemoryError.isInstance(error)) return error;
  const status = (error as { status?: unknown } | null)?.status;
  const statusCode = typeof status === 'number' ? status : undefined;
  return new ProviderUnavailableError(PROVIDER, error instanceof Error ? error.message : String(error), {
    isRetryable: statusCode === undefined || statusCode === 429 || statusCode >= 500,
    ...(statusCode === undefined ? {} : { statusCode }),
    cause: error,
  });
}

/**
 * Self-hosted Mem0 (mem0ai/oss `Memory`) as a FastAgentic memory provider. Node only: import it
 * from `@fastagentic/mem0/oss`. Writes are synchronous, so reads see them at once. Filters are
 * evaluated by the adapter with the core's own semantics over the user's memories.
 */
export class SelfHostedMem0Provider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider = PROVIDER;
  readonly capabilities: MemoryCapabilities;
  readonly userIdField: string;
  private readonly memoryReady: () => Promise<Mem0Memory>;
  private readonly maxMemoriesPerUser: number;
  private readonly infer: boolean;

  constructor(options: SelfHostedMem0ProviderOptions) {
    if (typeof options !== 'object' || options === null || options.config === undefined) {
      throw new MemoryConfigurationError('config', 'pass the self-hosted Mem0 config: { vector_store, llm, embedder }');
    }
    this.userIdField = options.userIdField ?? 'user.id';
    if (options.infer !== undefined && typeof options.infer !== 'boolean') {
      throw new MemoryConfigurationError('infer', 'must be a boolean');
    }
    this.infer = options.infer ?? true;
    this.capabilities = {
      semanticSearch: true,
      filters: ALL_FILTER_CAPABILITIES,
      ttl: false,
      consistency: 'strong',
      addResult: 'memory-id',
      storage: this.infer ? 'extracted' : 'verbatim',
    };
    const max = options.maxMemoriesPerUser ?? 10_000;
    if (!Number.isSafeInteger(max) || max < 1) throw new MemoryConfigurationError('maxMemoriesPerUser', 'must be a positive integer');
    this.maxMemoriesPerUser = max;
    const ossConfig = toMem0OssConfig(options.config);
    const telemetry = options.telemetry === true;
    let memory: Promise<Mem0Memory> | undefined;
    this.memoryReady = () => {
      memory ??= loadQuietMemory().then((QuietMemory) => {
        const created = new QuietMemory(ossConfig as never);
        created.telemetry = telemetry;
        return created;
      });
      const loading = memory;
      loading.catch(() => {
        if (memory === loading) memory = undefined;
      });
      return loading;
    };
  }

  /**
   * The underlying mem0ai/oss Memory, for features this interface does not cover (history,
   * update): `await provider.getMemory<Memory>()` with `import type { Memory } from 'mem0ai/oss'`.
   * Untyped here so that this entry's types compile without mem0ai/oss's (which name a dozen
   * optional stores). Made on first use; MemoryConfigurationError('mem0ai') when mem0ai is missing.
   */
  getMemory<M = unknown>(): Promise<M> {
    return this.memoryReady() as Promise<M>;
  }

  userIdFrom(context: unknown): string {
    return extractUserId(context, this.userIdField);
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const id = escapeUserId(validateUserId(userId));
    const checked = validateMessages(messages);
    const meta = validateMetadata(metadata);
    for (const key of Object.keys(meta)) {
      if (RESERVED_METADATA_KEYS.has(key)) throw new MemoryValidationError(`metadata.${key}`, 'is reserved by self-hosted Mem0');
    }
    // Validated like every provider's (a malformed key is refused), though mem0ai/oss has nothing to keep it in.
    const { signal } = parseAddOptions(options);
    signal?.throwIfAborted();
    const result = await this.call(
      (await this.memoryReady()).add(
        checked.map((message) => ({ role: message.role, content: message.content })) as never,
        { userId: id, metadata: meta, infer: this.infer },
      ),
      signal,
    );
    // Empty when Mem0 extracted no new fact (nothing memorable, or a duplicate of a stored one).
    return result.results[0]?.id ?? '';
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const id = escapeUserId(validateUserId(userId));
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    assertFilterSupported(filter, PROVIDER, this.capabilities.filters);
    signal?.throwIfAborted();
    const result = await this.call(
      (await this.memoryReady()).search(text, {
        filters: { user_id: id },
        // A filter is applied after ranking, so it ranks every memory the user could have.
        topK: filter === undefined ? limit : MEMORY_LIMITS.maxLimit,
        ...(minRelevance > 0 ? { threshold: minRelevance } : {}),
      }),
      signal,
    );
    return result.results
      .filter((item) => (item as MemoryItem & { user_id?: string }).user_id === id)
      .map((item) => toCoreMemory(item, userId, true))
      .filter((memory) => memory.score! > 0 && memory.score! >= minRelevance && matchesFilter(memory, filter))
      .sort(compareRanked)
      .slice(0, limit);
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const id = escapeUserId(validateUserId(userId));
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, PROVIDER, this.capabilities.filters);
    const offset = decodePageCursor(cursor);
    signal?.throwIfAborted();
    const all = (await this.listAll(id, userId, signal)).filter((memory) => matchesFilter(memory, filter));
    const memories = all.slice(offset, offset + limit);
    return { memories, nextCursor: offset + limit < all.length ? encodePageCursor(offset + limit) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const id = escapeUserId(validateUserId(userId));
    const checkedId = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const item = await this.call((await this.memoryReady()).get(checkedId), signal);
    if (item === null || (item as MemoryItem & { user_id?: string }).user_id !== id) return null;
    return toCoreMemory(item, userId, false);
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    if ((await this.get(userId, memoryId, options)) === null) throw new MemoryNotFoundError(memoryId);
    await this.call((await this.memoryReady()).delete(memoryId), parseCallOptions(options).signal);
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const id = escapeUserId(validateUserId(userId));
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const count = (await this.listAll(id, userId, signal)).length;
    await this.call((await this.memoryReady()).deleteAll({ userId: id }), signal);
    return count;
  }

  private async listAll(mem0UserId: string, userId: string, signal: AbortSignal | undefined): Promise<Memory[]> {
    const result = await this.call((await this.memoryReady()).getAll({ filters: { user_id: mem0UserId }, topK: this.maxMemoriesPerUser }), signal);
    return result.results
      .filter((item) => (item as MemoryItem & { user_id?: string }).user_id === mem0UserId)
      .map((item) => toCoreMemory(item, userId, false))
      .sort(compareRanked);
  }

  private async call<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    try {
      return await raceSignal(work, signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      throw toProviderError(error);
    }
  }
}
