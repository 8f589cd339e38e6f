import { cosineRelevance, type Embedder } from '../embedders/embedder.js';
import { hybridScore } from '../relevance/hybrid-score.js';
import { LexicalIndex, type LexicalHit } from '../relevance/lexical-index.js';
import { roundScore } from '../relevance/score-terms.js';
import { terms } from '../relevance/terms.js';
import { categoriesFromMetadata, messagesToMemoryText } from '../spec/memory-content.js';
import { MemoryConfigurationError, MemoryNotFoundError, MemoryValidationError, ProviderUnavailableError } from '../spec/memory-error.js';
import { compileFilter } from '../provider-toolkit/compile-filter.js';
import { ALL_FILTER_CAPABILITIES, type FilterNode } from '../spec/memory-filter.js';
import type {
  AddOptions,
  CallOptions,
  GetAllOptions,
  MemoryCapabilities,
  MemoryChanges,
  MemoryEvent,
  MemoryHistoryEntry,
  MemoryPage,
  MemoryProvider,
  SearchOptions,
  UpdateOptions,
} from '../spec/memory-provider.js';
import type { JsonValue, Memory, Message, Metadata } from '../spec/schemas.js';
import {
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseMemoryChanges,
  parseSearchOptions,
  parseUpdateOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
} from '../spec/validate-input.js';

export interface InMemoryProviderOptions {
  /**
   * Adds embedding similarity to the ranking. Vectors are computed once, at add. A memory's
   * score is then `hybridScore(lexical, cosine)` (see `ranking`).
   */
  embedder?: Embedder;
  /**
   * With an embedder: `'hybrid'` (default) combines the lexical score and cosine similarity with
   * `hybridScore`, so exact names and numbers still win; `'embedding'` ranks by cosine alone (the
   * behaviour before Relevance v2, where `minRelevance` is a cosine threshold). Without one, ranking is lexical.
   */
  ranking?: 'hybrid' | 'embedding';
  /** Session memory: a user's memories expire together this long after their latest write. */
  ttlSeconds?: number;
}

interface StoredMemory {
  seq: number;
  memory: Memory;
  vector?: Float32Array;
  idempotencyKey?: string;
  /** The supplied `indexTerms` of its add, indexed in place of `terms(text)`. */
  indexTerms?: string[];
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
  /** Each memory's versions, oldest first; kept after a delete, gone with the user. */
  readonly history = new Map<string, MemoryHistoryEntry[]>();
  expiresAt = Number.POSITIVE_INFINITY;
  private lexicalIndex: LexicalIndex | undefined;

  insert(stored: StoredMemory): void {
    this.byId.set(stored.memory.id, stored);
    this.bySeq.set(stored.seq, stored);
    this.ordered.push(stored);
    if (stored.idempotencyKey !== undefined) this.byIdempotencyKey.set(stored.idempotencyKey, stored.memory.id);
    this.lexicalIndex?.addTerms(stored.seq, indexedTerms(stored));
  }

  remove(stored: StoredMemory): void {
    this.byId.delete(stored.memory.id);
    this.bySeq.delete(stored.seq);
    this.ordered.splice(lowerBound(this.ordered, stored.seq), 1);
    if (stored.idempotencyKey !== undefined) this.byIdempotencyKey.delete(stored.idempotencyKey);
    this.lexicalIndex?.removeTerms(stored.seq, indexedTerms(stored));
  }

  /** Indexes the memory's new terms in place of `previousTerms` (an update). */
  reindex(stored: StoredMemory, previousTerms: readonly string[]): void {
    this.lexicalIndex?.removeTerms(stored.seq, previousTerms);
    this.lexicalIndex?.addTerms(stored.seq, indexedTerms(stored));
  }

  /** `at` defaults to the memory's `updatedAt`; a delete passes its own time. */
  record(memoryId: string, event: MemoryEvent, previousText: string | null, memory: Memory | null, at?: string, reason?: string): void {
    const entry: MemoryHistoryEntry = {
      memoryId,
      event,
      previousText,
      text: memory ? memory.memory : null,
      metadata: memory ? cloneJson(memory.metadata) : null,
      at: at ?? memory!.updatedAt,
    };
    if (reason !== undefined) entry.reason = reason;
    const versions = this.history.get(memoryId);
    if (versions) versions.push(entry);
    else this.history.set(memoryId, [entry]);
  }

  /** Built on the first search, then kept up to date by insert and remove. */
  index(): LexicalIndex {
    if (this.lexicalIndex === undefined) {
      const index = new LexicalIndex();
      for (const stored of this.ordered) index.addTerms(stored.seq, indexedTerms(stored));
      this.lexicalIndex = index;
    }
    return this.lexicalIndex;
  }
}

function indexedTerms(stored: StoredMemory): readonly string[] {
  return stored.indexTerms ?? terms(stored.memory.memory);
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

/**
 * The `limit` best of `ranked` at or above `minRelevance` (a positive threshold also drops score 0),
 * in `compareRanked` order. A bounded insertion keeps it O(n·limit) without sorting every hit;
 * walking newest first, a memory tying the worst kept one is older and rejected at once.
 */
function topRanked<T extends { score: number }>(
  ranked: readonly T[],
  limit: number,
  minRelevance: number,
  memoryOf: (item: T) => Memory,
): T[] {
  // `compareRanked(a, b) < 0` without building its arguments; memories are looked up only on ties.
  const before = (a: T, b: T): boolean => {
    if (a.score !== b.score) return a.score > b.score;
    const first = memoryOf(a);
    const second = memoryOf(b);
    if (first.createdAt !== second.createdAt) return first.createdAt > second.createdAt;
    return first.id < second.id;
  };
  const top: T[] = [];
  for (let i = ranked.length - 1; i >= 0; i--) {
    const candidate = ranked[i]!;
    if (candidate.score < minRelevance || (minRelevance > 0 && candidate.score === 0)) continue;
    if (top.length === limit && !before(candidate, top[limit - 1]!)) continue;
    let at = top.length;
    while (at > 0 && before(candidate, top[at - 1]!)) at--;
    top.splice(at, 0, candidate);
    if (top.length > limit) top.pop();
  }
  return top;
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

/** Now, or a millisecond after `previous` when the clock has not moved past it, so every version's time differs. */
function laterTime(previous: string): string {
  const now = Date.now();
  const last = Date.parse(previous);
  return new Date(now > last ? now : last + 1).toISOString();
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
  /** The forget fence: when each user was last erased (ms), kept after their memories are gone. */
  private readonly forgottenAt = new Map<string, number>();
  private readonly embedder: Embedder | undefined;
  private readonly ranking: 'hybrid' | 'embedding';
  private readonly ttlMs: number | undefined;
  private nextSeq = 0;
  private lastSweep = 0;

  constructor(options: InMemoryProviderOptions = {}) {
    if (options.ttlSeconds !== undefined && !(Number.isFinite(options.ttlSeconds) && options.ttlSeconds > 0)) {
      throw new MemoryConfigurationError('ttlSeconds', 'must be a positive number of seconds');
    }
    if (options.ranking !== undefined && options.ranking !== 'hybrid' && options.ranking !== 'embedding') {
      throw new MemoryConfigurationError('ranking', "must be 'hybrid' or 'embedding'");
    }
    this.embedder = options.embedder;
    this.ranking = options.ranking ?? 'hybrid';
    this.ttlMs = options.ttlSeconds === undefined ? undefined : options.ttlSeconds * 1000;
    this.capabilities = {
      semanticSearch: options.embedder !== undefined,
      filters: ALL_FILTER_CAPABILITIES,
      ttl: this.ttlMs !== undefined,
      consistency: 'strong',
      addResult: 'memory-id',
      storage: 'verbatim',
      idempotentAdd: true,
      suppliedTerms: true,
      forgetFence: true,
      update: true,
      history: true,
    };
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const user = validateUserId(userId);
    const validMessages = validateMessages(messages);
    const validMetadata = validateMetadata(metadata);
    const { signal, idempotencyKey, indexTerms, promisedAt } = parseAddOptions(options);
    signal?.throwIfAborted();
    if (this.fenced(user, promisedAt)) return '';
    const earlier = this.storedFor(user, idempotencyKey);
    if (earlier !== undefined) return earlier;
    const text = messagesToMemoryText(validMessages);
    const vector = this.embedder ? await this.embedOne(text, signal) : undefined;
    // A concurrent add with the same key may have stored while this one was embedding.
    const stored = this.storedFor(user, idempotencyKey);
    if (stored !== undefined) return stored;
    if (this.fenced(user, promisedAt)) return '';

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
    if (indexTerms !== undefined) record.indexTerms = [...indexTerms];
    const memories = this.userFor(user, true)!;
    memories.insert(record);
    memories.record(memory.id, 'add', null, memory);
    if (this.ttlMs !== undefined) {
      memories.expiresAt = Date.now() + this.ttlMs;
      this.sweepExpired();
    }
    return memory.id;
  }

  /** Promised before the user's last forget: not to be stored (a promise in the same millisecond is kept). */
  private fenced(userId: string, promisedAt: number | undefined): boolean {
    const forgotten = this.forgottenAt.get(userId);
    return promisedAt !== undefined && forgotten !== undefined && promisedAt < forgotten;
  }

  private storedFor(userId: string, idempotencyKey: string | undefined): string | undefined {
    return idempotencyKey === undefined ? undefined : this.userFor(userId, false)?.byIdempotencyKey.get(idempotencyKey);
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal, queryTerms: supplied } = parseSearchOptions(options);
    signal?.throwIfAborted();
    const memories = this.userFor(user, false);
    if (!memories || memories.byId.size === 0) return [];
    const queryTerms = supplied ?? [...new Set(terms(text))];
    if (this.embedder) {
      const ranked = await this.rankWithEmbedding(memories, text, queryTerms, filter, signal);
      return topRanked(ranked, limit, minRelevance, (item) => item.stored.memory).map(({ stored, score }) => copyOf(stored.memory, score));
    }
    const memoryOf = (hit: LexicalHit) => memories.bySeq.get(hit.id)!.memory;
    return topRanked(this.lexicalHits(memories, queryTerms, filter), limit, minRelevance, memoryOf).map((hit) => copyOf(memoryOf(hit), hit.score));
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
    const accepts = filter ? compileFilter(filter) : () => true;
    for (; position >= 0 && page.length < limit; position--) {
      const stored = ordered[position]!;
      if (!accepts(stored.memory)) continue;
      page.push(copyOf(stored.memory));
      lastSeq = stored.seq;
    }
    let more = false;
    for (; position >= 0; position--) {
      if (accepts(ordered[position]!.memory)) {
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
    memories.record(id, 'delete', stored.memory.memory, null, laterTime(stored.memory.updatedAt));
  }

  async update(userId: string, memoryId: string, changes: MemoryChanges, options?: UpdateOptions): Promise<Memory> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { text, metadata } = parseMemoryChanges(changes);
    const { signal, reason, indexTerms } = parseUpdateOptions(options);
    signal?.throwIfAborted();
    const vector = text !== undefined && this.embedder ? await this.embedOne(text, signal) : undefined;
    // Looked up after embedding, so a delete made meanwhile is not undone.
    const memories = this.userFor(user, false);
    const stored = memories?.byId.get(id);
    if (!memories || !stored) throw new MemoryNotFoundError(id);
    const previousText = stored.memory.memory;
    const previousTerms = indexedTerms(stored);
    const memory = stored.memory;
    if (text !== undefined) {
      memory.memory = text;
      // Supplied terms described the old text: the new text is indexed by those supplied with it, or its own.
      if (indexTerms !== undefined) stored.indexTerms = [...indexTerms];
      else delete stored.indexTerms;
      if (vector) stored.vector = vector;
    }
    if (metadata !== undefined) {
      memory.metadata = metadata;
      const categories = categoriesFromMetadata(metadata);
      if (categories) memory.categories = categories;
      else delete memory.categories;
    }
    memory.updatedAt = laterTime(memory.updatedAt);
    if (text !== undefined) memories.reindex(stored, previousTerms);
    memories.record(id, 'update', previousText, memory, undefined, reason);
    if (this.ttlMs !== undefined) memories.expiresAt = Date.now() + this.ttlMs;
    return copyOf(memory);
  }

  async history(userId: string, memoryId: string, options?: CallOptions): Promise<MemoryHistoryEntry[]> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const versions = this.userFor(user, false)?.history.get(id) ?? [];
    return versions.map((entry) => ({ ...entry, metadata: entry.metadata ? cloneJson(entry.metadata) : null }));
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    parseCallOptions(options).signal?.throwIfAborted();
    const memories = this.userFor(user, false);
    this.users.delete(user);
    this.forgottenAt.set(user, Date.now());
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

  /** Every memory sharing a term with the query, scored with `scoreTerms` over all the user's memories, oldest first. */
  private lexicalHits(memories: UserMemories, queryTerms: readonly string[], filter: FilterNode | undefined): LexicalHit[] {
    const accepts = filter && compileFilter(filter);
    const accept = accepts ? (seq: number) => accepts(memories.bySeq.get(seq)!.memory) : undefined;
    return memories.index().search(queryTerms, accept);
  }

  private async rankWithEmbedding(
    memories: UserMemories,
    query: string,
    queryTerms: readonly string[],
    filter: FilterNode | undefined,
    signal: AbortSignal | undefined,
  ): Promise<RankedMemory[]> {
    const queryVector = await this.embedOne(query, signal);
    const lexical = new Map<StoredMemory, number>();
    if (this.ranking === 'hybrid') {
      for (const hit of this.lexicalHits(memories, queryTerms, filter)) lexical.set(memories.bySeq.get(hit.id)!, hit.score);
    }
    const ranked: RankedMemory[] = [];
    const accepts = filter ? compileFilter(filter) : () => true;
    for (const stored of memories.ordered) {
      if (!stored.vector || !accepts(stored.memory)) continue;
      if (stored.vector.length !== queryVector.length) {
        throw new MemoryConfigurationError(
          'embedder',
          `returned ${queryVector.length} dimensions for the query but ${stored.vector.length} for stored memories: one provider needs one embedding model`,
        );
      }
      const cosine = roundScore(cosineRelevance(queryVector, stored.vector));
      ranked.push({ stored, score: this.ranking === 'hybrid' ? hybridScore(lexical.get(stored) ?? 0, cosine) : cosine });
    }
    return ranked;
  }

  private async embedOne(text: string, signal: AbortSignal | undefined): Promise<Float32Array> {
    const [vector] = await this.embedder!.embed([text], { signal });
    if (!vector || vector.length === 0) {
      throw new ProviderUnavailableError(this.provider, 'the embedder returned no vector', { isRetryable: false });
    }
    return Float32Array.from(vector);
  }
}
