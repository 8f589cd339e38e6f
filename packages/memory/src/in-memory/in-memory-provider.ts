import { cosineRelevance, type Embedder } from '../embedders/embedder.js';
import { LexicalIndex, type LexicalHit } from '../relevance/lexical-index.js';
import { compareRanked } from '../relevance/score-terms.js';
import { lexicalRelevance, tokenizeForRelevance } from '../relevance/lexical-relevance.js';
import { categoriesFromMetadata, messagesToMemoryText } from '../spec/memory-content.js';
import { MemoryConfigurationError, MemoryNotFoundError, MemoryValidationError, ProviderUnavailableError } from '../spec/memory-error.js';
import { ALL_FILTER_CAPABILITIES, matchesFilter, type FilterNode } from '../spec/memory-filter.js';
import type {
  AddOptions,
  CallOptions,
  GetAllOptions,
  MemoryCapabilities,
  MemoryPage,
  MemoryProvider,
  SearchOptions,
} from '../spec/memory-provider.js';
import type { JsonValue, Memory, Message, Metadata } from '../spec/schemas.js';
import {
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseSearchOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
} from '../spec/validate-input.js';

export interface InMemoryProviderOptions {
  /** Rank by embedding similarity instead of shared words. Vectors are computed once, at add. */
  embedder?: Embedder;
  /** Session memory: a user's memories expire together this long after their latest write. */
  ttlSeconds?: number;
}

interface StoredMemory {
  seq: number;
  memory: Memory;
  vector?: Float32Array;
  idempotencyKey?: string;
}

interface RankedMemory {
  stored: StoredMemory;
  score: number;
}

/** One user's memories. Users never share a structure, so isolation does not rest on key strings. */
class UserMemories {
  readonly byId = new Map<string, StoredMemory>();
  /** Ascending by `seq` (insertion order): pages walk it backwards for newest first. */
  readonly ordered: StoredMemory[] = [];
  readonly bySeq = new Map<number, StoredMemory>();
  /** Idempotency key of an add → the id it stored; freed when that memory is removed. */
  readonly byIdempotencyKey = new Map<string, string>();
  expiresAt = Number.POSITIVE_INFINITY;
  private lexicalIndex: LexicalIndex | undefined;

  insert(stored: StoredMemory): void {
    this.byId.set(stored.memory.id, stored);
    this.bySeq.set(stored.seq, stored);
    this.ordered.push(stored);
    if (stored.idempotencyKey !== undefined) this.byIdempotencyKey.set(stored.idempotencyKey, stored.memory.id);
    this.lexicalIndex?.add(stored.seq, stored.memory.memory);
  }

  remove(stored: StoredMemory): void {
    this.byId.delete(stored.memory.id);
    this.bySeq.delete(stored.seq);
    this.ordered.splice(lowerBound(this.ordered, stored.seq), 1);
    if (stored.idempotencyKey !== undefined) this.byIdempotencyKey.delete(stored.idempotencyKey);
    this.lexicalIndex?.remove(stored.seq, stored.memory.memory);
  }

  /** Built on the first search, then kept up to date by insert and remove. */
  index(): LexicalIndex {
    if (this.lexicalIndex === undefined) {
      const index = new LexicalIndex();
      for (const stored of this.ordered) index.add(stored.seq, stored.memory.memory);
      this.lexicalIndex = index;
    }
    return this.lexicalIndex;
  }
}

/** First position whose seq is >= `seq`. */
function lowerBound(ordered: readonly StoredMemory[], seq: number): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ordered[mid]!.seq < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Metadata is validated JSON, so a plain recursive copy is exact and far cheaper than structuredClone. */
function cloneJson<T extends JsonValue>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  const copy: Record<string, JsonValue> = {};
  for (const key of Object.keys(value)) copy[key] = cloneJson((value as Record<string, JsonValue>)[key]!);
  return copy as T;
}

/**
 * Callers get copies: changing a result never changes what is stored. Built field by field rather
 * than spread, so every copy has one shape (a spread plus optional fields made search results
 * polymorphic and copying was a sixth of a search).
 */
function copyOf(memory: Memory, score?: number): Memory {
  const copy: Memory = {
    id: memory.id,
    userId: memory.userId,
    memory: memory.memory,
    metadata: cloneJson(memory.metadata),
    createdAt: memory.createdAt,
    updatedAt: memory.updatedAt,
  };
  if (memory.categories) copy.categories = [...memory.categories];
  if (score !== undefined) copy.score = score;
  return copy;
}

const CURSOR_PREFIX = 'm1.';

function encodeCursor(seq: number): string {
  return `${CURSOR_PREFIX}${seq.toString(36)}`;
}

function decodeCursor(cursor: string): number {
  const seq = cursor.startsWith(CURSOR_PREFIX) ? Number.parseInt(cursor.slice(CURSOR_PREFIX.length), 36) : Number.NaN;
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new MemoryValidationError('options.cursor', 'not a cursor returned by this provider');
  }
  return seq;
}

/**
 * The embedded default provider: memories live in this process, nothing is persisted.
 * Search is lexical (no network, no model) unless an embedder is given. Writes are visible at once.
 */
export class InMemoryProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'in-memory';
  readonly capabilities: MemoryCapabilities;

  private readonly users = new Map<string, UserMemories>();
  private readonly embedder: Embedder | undefined;
  private readonly ttlMs: number | undefined;
  private nextSeq = 0;
  private lastSweep = 0;

  constructor(options: InMemoryProviderOptions = {}) {
    if (options.ttlSeconds !== undefined && !(Number.isFinite(options.ttlSeconds) && options.ttlSeconds > 0)) {
      throw new MemoryConfigurationError('ttlSeconds', 'must be a positive number of seconds');
    }
    this.embedder = options.embedder;
    this.ttlMs = options.ttlSeconds === undefined ? undefined : options.ttlSeconds * 1000;
    this.capabilities = {
      semanticSearch: options.embedder !== undefined,
      filters: ALL_FILTER_CAPABILITIES,
      ttl: this.ttlMs !== undefined,
      consistency: 'strong',
      addResult: 'memory-id',
      storage: 'verbatim',
      idempotentAdd: true,
    };
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const user = validateUserId(userId);
    const validMessages = validateMessages(messages);
    const validMetadata = validateMetadata(metadata);
    const { signal, idempotencyKey } = parseAddOptions(options);
    signal?.throwIfAborted();
    const earlier = this.storedFor(user, idempotencyKey);
    if (earlier !== undefined) return earlier;
    const text = messagesToMemoryText(validMessages);
    const vector = this.embedder ? await this.embedOne(text, signal) : undefined;
    // A concurrent add with the same key may have stored while this one was embedding.
    const stored = this.storedFor(user, idempotencyKey);
    if (stored !== undefined) return stored;

    const now = new Date().toISOString();
    const memory: Memory = {
      id: crypto.randomUUID(),
      userId: user,
      memory: text,
      metadata: validMetadata,
      createdAt: now,
      updatedAt: now,
    };
    const categories = categoriesFromMetadata(validMetadata);
    if (categories) memory.categories = categories;

    const record: StoredMemory = { seq: this.nextSeq++, memory };
    if (vector) record.vector = vector;
    if (idempotencyKey !== undefined) record.idempotencyKey = idempotencyKey;
    const memories = this.userFor(user, true)!;
    memories.insert(record);
    if (this.ttlMs !== undefined) {
      memories.expiresAt = Date.now() + this.ttlMs;
      this.sweepExpired();
    }
    return memory.id;
  }

  private storedFor(userId: string, idempotencyKey: string | undefined): string | undefined {
    return idempotencyKey === undefined ? undefined : this.userFor(userId, false)?.byIdempotencyKey.get(idempotencyKey);
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    signal?.throwIfAborted();
    const memories = this.userFor(user, false);
    if (!memories || memories.byId.size === 0) return [];
    const ranked = this.embedder
      ? await this.rankByEmbedding(memories, text, filter, signal)
      : this.rankLexically(memories, text, filter, limit, minRelevance);
    const results: Memory[] = [];
    for (const { stored, score } of ranked) {
      if (score < minRelevance || (minRelevance > 0 && score === 0)) continue;
      results.push(copyOf(stored.memory, score));
      if (results.length === limit) break;
    }
    return results;
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    signal?.throwIfAborted();
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    const memories = this.userFor(user, false);
    if (!memories) return { memories: [], nextCursor: null };
    const ordered = memories.ordered;
    let position = (before === undefined ? ordered.length : lowerBound(ordered, before)) - 1;
    const page: Memory[] = [];
    let lastSeq = -1;
    for (; position >= 0 && page.length < limit; position--) {
      const stored = ordered[position]!;
      if (!matchesFilter(stored.memory, filter)) continue;
      page.push(copyOf(stored.memory));
      lastSeq = stored.seq;
    }
    let more = false;
    for (; position >= 0; position--) {
      if (matchesFilter(ordered[position]!.memory, filter)) {
        more = true;
        break;
      }
    }
    return { memories: page, nextCursor: more ? encodeCursor(lastSeq) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const stored = this.userFor(user, false)?.byId.get(id);
    return stored ? copyOf(stored.memory) : null;
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const memories = this.userFor(user, false);
    const stored = memories?.byId.get(id);
    if (!memories || !stored) throw new MemoryNotFoundError(id);
    memories.remove(stored);
    if (memories.byId.size === 0) this.users.delete(user);
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    parseCallOptions(options).signal?.throwIfAborted();
    const memories = this.userFor(user, false);
    this.users.delete(user);
    return memories?.byId.size ?? 0;
  }

  private userFor(userId: string, create: boolean): UserMemories | undefined {
    let memories = this.users.get(userId);
    if (memories && memories.expiresAt <= Date.now()) {
      this.users.delete(userId);
      memories = undefined;
    }
    if (!memories && create) {
      memories = new UserMemories();
      this.users.set(userId, memories);
    }
    return memories;
  }

  /** Drops expired users at most once per TTL/10, so idle users do not hold memory forever. */
  private sweepExpired(): void {
    const now = Date.now();
    if (now - this.lastSweep < this.ttlMs! / 10) return;
    this.lastSweep = now;
    for (const [userId, memories] of this.users) if (memories.expiresAt <= now) this.users.delete(userId);
  }

  /**
   * Ranks by relevance (share of query words contained), equal scores newest first, then by id.
   * Hits are bucketed by words matched, so only the buckets that fill `limit` are sorted.
   */
  private rankLexically(
    memories: UserMemories,
    query: string,
    filter: FilterNode | undefined,
    limit: number,
    minRelevance: number,
  ): RankedMemory[] {
    const queryTerms = [...new Set(tokenizeForRelevance(query))];
    if (queryTerms.length === 0) return [];
    const accept = filter ? (seq: number) => matchesFilter(memories.bySeq.get(seq)!.memory, filter) : undefined;
    const buckets: LexicalHit[][] = Array.from({ length: queryTerms.length + 1 }, () => []);
    for (const hit of memories.index().search(queryTerms, accept)) buckets[hit.matched]!.push(hit);
    const ranked: RankedMemory[] = [];
    for (let matched = queryTerms.length; matched > 0 && ranked.length < limit; matched--) {
      const score = lexicalRelevance(queryTerms, matched);
      if (score < minRelevance) break;
      // One score per bucket: the spec's tie order (newest first, then id) decides within it.
      const bucket = buckets[matched]!.sort((a, b) =>
        compareRanked(memories.bySeq.get(a.id)!.memory, memories.bySeq.get(b.id)!.memory),
      );
      for (const hit of bucket) {
        ranked.push({ stored: memories.bySeq.get(hit.id)!, score });
        if (ranked.length === limit) break;
      }
    }
    return ranked;
  }

  private async rankByEmbedding(
    memories: UserMemories,
    query: string,
    filter: FilterNode | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RankedMemory[]> {
    const queryVector = await this.embedOne(query, signal);
    const ranked: Array<RankedMemory & { createdAt: string; id: string }> = [];
    for (const stored of memories.ordered) {
      if (!stored.vector || !matchesFilter(stored.memory, filter)) continue;
      const { createdAt, id } = stored.memory;
      ranked.push({ stored, score: cosineRelevance(queryVector, stored.vector), createdAt, id });
    }
    return ranked.sort(compareRanked);
  }

  private async embedOne(text: string, signal: AbortSignal | undefined): Promise<Float32Array> {
    const [vector] = await this.embedder!.embed([text], { signal });
    if (!vector || vector.length === 0) {
      throw new ProviderUnavailableError(this.provider, 'the embedder returned no vector', { isRetryable: false });
    }
    return Float32Array.from(vector);
  }
}
