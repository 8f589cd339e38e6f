import {
  MemoryConfigurationError,
  MemoryNotFoundError,
  ProviderUnavailableError,
  type CallOptions,
  type Embedder,
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
  categoriesFromMetadata,
  compareRanked,
  cosineRelevance,
  type FilterNode,
  lexicalRelevance,
  matchesFilter,
  messagesToMemoryText,
  parseCallOptions,
  parseGetAllOptions,
  parseSearchOptions,
  tokenizeForRelevance,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
} from '@fastagentic/memory/provider';
import {
  decodeCursor,
  decodeRecord,
  decodeRecords,
  decodeVector,
  encodeCursor,
  encodeRecordBody,
  encodeVector,
  toMemory,
  type MemoryRecord,
} from './memory-record.js';
import { ADD_SCRIPT, DELETE_ALL_SCRIPT, DELETE_SCRIPT, PAGE_SCRIPT, type LuaScript } from './memory-scripts.js';
import type { RedisCommandRunner } from './redis-command-runner.js';
import { userKeys, validatePrefix, type UserKeys } from './redis-key-layout.js';

/** Options both Redis clients share. */
export interface RedisMemoryOptions {
  /** Start of every key. Default `memory:`. Must not contain `{` or `}`. */
  prefix?: string;
  /** Session memory: all of a user's keys expire together this long after the user's latest write. */
  ttlSeconds?: number;
  /** Rank search results by embedding similarity; vectors are computed once, at add, and stored. */
  embedder?: Embedder;
}

interface Ranked {
  record: MemoryRecord;
  score: number;
  /** The memory's creation time and id, for the spec's tie order (`compareRanked`). */
  createdAt: string;
  id: string;
}

function ranked(record: MemoryRecord, score: number): Ranked {
  return { record, score, createdAt: toMemory(record, '').createdAt, id: record.id };
}

/**
 * The Redis store, written once for every client: each method validates its input, then runs
 * one Lua script or one plain read (one round trip). Filters are evaluated with the core's `matchesFilter`.
 */
export class RedisMemoryProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: MemoryCapabilities;
  private readonly prefix: string;
  private readonly ttlMs: string;
  private readonly embedder: Embedder | undefined;
  /** Encoding an id costs more than the rest of a get; agents ask for the same few users again and again. */
  private readonly keysByUser = new Map<string, UserKeys>();

  constructor(
    readonly provider: string,
    private readonly runner: RedisCommandRunner,
    options: RedisMemoryOptions,
  ) {
    this.prefix = validatePrefix(options.prefix ?? 'memory:');
    const ttl = options.ttlSeconds;
    if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) {
      throw new MemoryConfigurationError('ttlSeconds', 'must be a positive number of seconds');
    }
    this.ttlMs = ttl === undefined ? '0' : String(Math.max(1, Math.round(ttl * 1000)));
    this.embedder = options.embedder;
    this.capabilities = {
      semanticSearch: options.embedder !== undefined,
      filters: ALL_FILTER_CAPABILITIES,
      ttl: ttl !== undefined,
      consistency: 'strong',
      addResult: 'memory-id',
      storage: 'verbatim',
    };
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: CallOptions): Promise<string> {
    const user = validateUserId(userId);
    const validMessages = validateMessages(messages);
    const validMetadata = validateMetadata(metadata);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const text = messagesToMemoryText(validMessages);
    const id = crypto.randomUUID();
    const record: Omit<MemoryRecord, 'seq'> = { id, memory: text, metadata: validMetadata };
    const categories = categoriesFromMetadata(validMetadata);
    if (categories) record.categories = categories;
    if (this.embedder) record.vector = encodeVector(await this.embedOne(text, signal));
    signal?.throwIfAborted();
    const keys = this.keysOf(user);
    const nowMicros = String(Date.now() * 1000);
    await this.run(ADD_SCRIPT, keys, [id, encodeRecordBody(record), nowMicros, this.ttlMs]);
    return id;
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    signal?.throwIfAborted();
    const queryVector = this.embedder ? await this.embedOne(text, signal) : undefined;
    const records = decodeRecords(await this.read((runner) => runner.hvals(this.keysOf(user).records)));
    const accept = filter ? (record: MemoryRecord) => matchesFilter(toMemory(record, user), filter) : () => true;
    const ranked = queryVector ? rankByEmbedding(records, queryVector, accept) : rankLexically(records, text, accept);
    const results: Memory[] = [];
    for (const { record, score } of ranked) {
      if (score < minRelevance || (minRelevance > 0 && score === 0)) continue;
      results.push(toMemory(record, user, score));
      if (results.length === limit) break;
    }
    return results;
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    signal?.throwIfAborted();
    const keys = this.keysOf(user);
    const page = filter
      ? await this.filteredPage(keys, user, filter, before, limit)
      : decodeRecords(await this.run(PAGE_SCRIPT, keys, [before === undefined ? '+inf' : `(${before}`, String(limit + 1)]));
    const more = page.length > limit;
    const memories = page.slice(0, limit).map((record) => toMemory(record, user));
    const last = page[limit - 1];
    return { memories, nextCursor: more && last ? encodeCursor(last.seq) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const record = decodeRecord(await this.read((runner) => runner.hget(this.keysOf(user).records, id)));
    return record ? toMemory(record, user) : null;
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const deleted = await this.run(DELETE_SCRIPT, this.keysOf(user), [id, this.ttlMs]);
    if (Number(deleted) !== 1) throw new MemoryNotFoundError(id);
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    parseCallOptions(options).signal?.throwIfAborted();
    return Number(await this.run(DELETE_ALL_SCRIPT, this.keysOf(user), []));
  }

  /** Loads the user's records in one call, then filters them here; returns up to `limit + 1`. */
  private async filteredPage(
    keys: UserKeys,
    user: string,
    filter: FilterNode,
    before: number | undefined,
    limit: number,
  ): Promise<MemoryRecord[]> {
    const records = decodeRecords(await this.read((runner) => runner.hvals(keys.records)));
    records.sort((a, b) => b.seq - a.seq);
    const page: MemoryRecord[] = [];
    for (const record of records) {
      if (before !== undefined && record.seq >= before) continue;
      if (!matchesFilter(toMemory(record, user), filter)) continue;
      page.push(record);
      if (page.length > limit) break;
    }
    return page;
  }

  private keysOf(userId: string): UserKeys {
    let keys = this.keysByUser.get(userId);
    if (keys === undefined) {
      if (this.keysByUser.size >= 1_024) this.keysByUser.clear();
      keys = userKeys(this.prefix, userId);
      this.keysByUser.set(userId, keys);
    }
    return keys;
  }

  private async run(script: LuaScript, keys: UserKeys, args: string[]): Promise<unknown> {
    try {
      return await this.runner.runScript(script, [keys.records, keys.timeline], args);
    } catch (error) {
      throw this.runner.toMemoryError(error);
    }
  }

  private read(command: (runner: RedisCommandRunner) => Promise<unknown>): Promise<unknown> {
    return command(this.runner).catch((error: unknown) => {
      throw this.runner.toMemoryError(error);
    });
  }

  private async embedOne(text: string, signal: AbortSignal | undefined): Promise<number[]> {
    const [vector] = await this.embedder!.embed([text], { signal });
    if (!vector || vector.length === 0) {
      throw new ProviderUnavailableError(this.provider, 'the embedder returned no vector', { isRetryable: false });
    }
    return vector;
  }
}

/**
 * The core's ranking, as InMemoryProvider does it: score = share of the query's distinct content
 * words the memory contains; equal scores newest first, then by id (`compareRanked`).
 */
function rankLexically(records: MemoryRecord[], query: string, accept: (record: MemoryRecord) => boolean): Ranked[] {
  const queryTerms = [...new Set(tokenizeForRelevance(query))];
  if (queryTerms.length === 0) return [];
  const results: Ranked[] = [];
  for (const record of records) {
    const words = new Set(tokenizeForRelevance(record.memory));
    const matched = queryTerms.filter((term) => words.has(term)).length;
    if (matched > 0 && accept(record)) results.push(ranked(record, lexicalRelevance(queryTerms, matched)));
  }
  return results.sort(compareRanked);
}

function rankByEmbedding(
  records: MemoryRecord[],
  queryVector: number[],
  accept: (record: MemoryRecord) => boolean,
): Ranked[] {
  const results: Ranked[] = [];
  for (const record of records) {
    if (record.vector === undefined || !accept(record)) continue;
    results.push(ranked(record, cosineRelevance(queryVector, decodeVector(record.vector))));
  }
  return results.sort(compareRanked);
}
