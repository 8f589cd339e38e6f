import { MemoryConfigurationError, MemoryNotFoundError, ProviderUnavailableError, type AddOptions, type CallOptions, type Embedder, type GetAllOptions, type Memory, type MemoryCapabilities, type MemoryChanges, type MemoryEvent, type MemoryHistoryEntry, type MemoryPage, type MemoryProvider, type Message, type Metadata, type SearchOptions, type UpdateOptions } from '@fastagentic/memory';
import {
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  categoriesFromMetadata,
  cosineRelevance,
  matchesFilter,
  messagesToMemoryText,
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseMemoryChanges,
  parseSearchOptions,
  parseUpdateOptions,
  compareRanked,
  hybridScore,
  roundScore,
  scoreTerms,
  searchBudgetExceeded,
  RELEVANCE_B,
  RELEVANCE_K1,
  terms,
  TERMS_VERSION,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  type FilterNode,
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
import {
  ADD_SCRIPT,
  DELETE_ALL_SCRIPT,
  DELETE_SCRIPT,
  FILTERED_PAGE_SCRIPT,
  HISTORY_SCRIPT,
  PAGE_SCRIPT,
  REINDEX_SCRIPT,
  SEARCH_SCRIPT,
  UPDATE_SCRIPT,
  type LuaScript,
} from './memory-scripts.js';
import type { RedisCommandRunner } from './redis-command-runner.js';
import { userKeys, validatePrefix, type UserKeys } from './redis-key-layout.js';
import { parseTermsEntry, termsEntry, termsEntryOf } from './terms-entry.js';

/** Options both Redis clients share. */
export interface RedisMemoryOptions {
  /** Start of every key. Default `memory:`. Must not contain `{` or `}`. */
  prefix?: string;
  /** Session memory: all of a user's keys expire together this long after the user's latest write. */
  ttlSeconds?: number;
  /**
   * Adds embedding similarity to search; vectors are computed once, at add, and stored. Results
   * rank by the core's `hybridScore(lexical, cosine)` (see `ranking`).
   */
  embedder?: Embedder;
  /** With an embedder: `'hybrid'` (default) as the core defines, or `'embedding'` (cosine alone). */
  ranking?: 'hybrid' | 'embedding';
  /**
   * Most memories one lexical search scores (default 2,000), found through the query's rarest
   * terms first: it bounds the time a search holds Redis when a query's words are in many
   * memories. Below it, results are exact; above it, see the README.
   */
  maxSearchCandidates?: number;
  /**
   * The metadata field whose values get the sessions index (default `sessionId`): a `getAll`
   * filter requiring one value of it reads that session's memories only. Under `withEncryption`
   * the values are blind-index tokens in `fa_bi_<field>` (e.g. `fa_bi_sessionId`).
   */
  sessionField?: string;
}

/** Records a filtered `getAll` page examines at most in one script call (it then returns a cursor). */
const FILTERED_PAGE_SCAN = 2_000;
/**
 * The filter work one script call does at most (a unit per condition evaluated and per 64 bytes of
 * record decoded), so a filter holds Redis for a few milliseconds however large it or the records
 * are: a one-condition filter over records of 200-300 bytes examines every candidate of the default
 * cap (2,000), a 64-condition one about 140. A filtered page then returns a cursor; a search throws
 * `searchBudgetExceeded`, as it does past SEARCH_FILTER_MS of filtering (Redis TIME: a backstop
 * for a machine too loaded for the work budget to keep a script short).
 */
const FILTER_WORK_PER_CALL = 10_000;
const SEARCH_FILTER_MS = 500;

/**
 * The Redis store, written once for every client: each method validates its input, then runs
 * one Lua script or one plain read (one round trip). The scripts keep a per-user inverted index
 * of the core's terms beside the records, and score, filter and rank in Redis.
 */
export class RedisMemoryProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: MemoryCapabilities;
  private readonly prefix: string;
  private readonly ttlMs: string;
  private readonly embedder: Embedder | undefined;
  private readonly ranking: 'hybrid' | 'embedding';
  private readonly maxSearchCandidates: string;
  /** The session field as JSON, as the scripts find it in a record and compare it with the index's. */
  private readonly sessionFieldJson: string;
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
    const cap = options.maxSearchCandidates ?? 2_000;
    if (!(Number.isSafeInteger(cap) && cap > 0)) {
      throw new MemoryConfigurationError('maxSearchCandidates', 'must be a positive integer');
    }
    this.maxSearchCandidates = String(cap);
    const sessionField = options.sessionField ?? 'sessionId';
    if (typeof sessionField !== 'string' || sessionField.length === 0) {
      throw new MemoryConfigurationError('sessionField', 'must be a non-empty metadata field name');
    }
    this.sessionFieldJson = JSON.stringify(sessionField);
    this.embedder = options.embedder;
    if (options.ranking !== undefined && options.ranking !== 'hybrid' && options.ranking !== 'embedding') {
      throw new MemoryConfigurationError('ranking', "must be 'hybrid' or 'embedding'");
    }
    this.ranking = options.ranking ?? 'hybrid';
    this.capabilities = {
      semanticSearch: options.embedder !== undefined,
      filters: ALL_FILTER_CAPABILITIES,
      ttl: ttl !== undefined,
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
    const text = messagesToMemoryText(validMessages);
    const id = crypto.randomUUID();
    const record: Omit<MemoryRecord, 'seq' | 'updated'> = { id, memory: text, metadata: validMetadata };
    if (indexTerms !== undefined) record.suppliedTerms = termsEntryOf(indexTerms);
    const categories = categoriesFromMetadata(validMetadata);
    if (categories) record.categories = categories;
    if (this.embedder) record.vector = encodeVector(await this.embedOne(text, signal));
    signal?.throwIfAborted();
    const nowMicros = String(Date.now() * 1000);
    const args = [
      id,
      encodeRecordBody(record),
      nowMicros,
      this.ttlMs,
      TERMS_VERSION,
      idempotencyKey ?? '',
      recordTermsEntry(record),
      this.sessionFieldJson,
      promisedAt === undefined ? '' : String(promisedAt),
    ];
    return String(await this.run(ADD_SCRIPT, this.keysOf(user), args));
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal, queryTerms: supplied } = parseSearchOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    signal?.throwIfAborted();
    const queryTerms = supplied ?? [...new Set(terms(text))];
    if (this.embedder) return this.searchByEmbedding(user, queryTerms, await this.embedOne(text, signal), filter, limit, minRelevance);
    if (queryTerms.length === 0) return [];
    const args = [
      TERMS_VERSION,
      String(RELEVANCE_K1),
      String(RELEVANCE_B),
      String(limit),
      String(minRelevance),
      this.maxSearchCandidates,
      filter ? JSON.stringify(filter) : '',
      String(FILTER_WORK_PER_CALL),
      String(SEARCH_FILTER_MS),
      ...queryTerms,
    ];
    const keys = this.keysOf(user);
    let reply = await this.run(SEARCH_SCRIPT, keys, args);
    if (isStale(reply)) {
      await this.reindexUser(user);
      reply = await this.run(SEARCH_SCRIPT, keys, args);
      if (isStale(reply)) {
        throw new ProviderUnavailableError(this.provider, 'the index was re-indexed by another terms version meanwhile', {
          isRetryable: true,
        });
      }
    }
    const items = reply as unknown[];
    if (items[0] === 'budget') throw searchBudgetExceeded(this.provider, String(items[1]));
    const results: Memory[] = [];
    for (let i = 1; i + 1 < items.length; i += 2) {
      const record = decodeRecord(items[i]);
      if (record) results.push(toMemory(record, user, Number(items[i + 1])));
    }
    return results;
  }

  /**
   * Rebuilds the user's lexical index with this version of the core's terms (`TERMS_VERSION`):
   * needed after an upgrade that changed the term pipeline, for memories written by an older
   * version of this package, and done by `search` on its own when it meets such an index. Reads
   * the user's records once and writes the index in one script call; retried when the user's
   * memories change in between.
   */
  async reindexUser(userId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    const keys = this.keysOf(user);
    for (let attempt = 0; attempt < 5; attempt++) {
      signal?.throwIfAborted();
      const records = decodeRecords(await this.read((runner) => runner.hvals(keys.records)));
      const args = [TERMS_VERSION, String(records.length), this.sessionFieldJson];
      for (const record of records) args.push(record.id, recordTermsEntry(record));
      if (Number(await this.run(REINDEX_SCRIPT, keys, args)) === 1) return;
    }
    throw new ProviderUnavailableError(this.provider, 'the user’s memories kept changing while they were re-indexed', {
      isRetryable: true,
    });
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    const before = cursor === undefined ? undefined : decodeCursor(cursor);
    signal?.throwIfAborted();
    const keys = this.keysOf(user);
    const highest = before === undefined ? '+inf' : `(${before}`;
    if (filter) return this.filteredPage(keys, user, filter, highest, limit);
    const page = decodeRecords(await this.run(PAGE_SCRIPT, keys, [highest, String(limit + 1)]));
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
    const deleted = await this.run(DELETE_SCRIPT, this.keysOf(user), [id, this.ttlMs, this.sessionFieldJson, String(Date.now())]);
    if (Number(deleted) !== 1) throw new MemoryNotFoundError(id);
  }

  /**
   * Reads the record, builds the new one here (JSON is only ever written by JavaScript), then one
   * script stores it if the memory has not changed since (its update time is the version), moving
   * its postings, terms entry and sessions members and recording the version; read again when it has.
   */
  async update(userId: string, memoryId: string, changes: MemoryChanges, options?: UpdateOptions): Promise<Memory> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { text, metadata } = parseMemoryChanges(changes);
    const { signal, reason, indexTerms } = parseUpdateOptions(options);
    signal?.throwIfAborted();
    const vector = text !== undefined && this.embedder ? encodeVector(await this.embedOne(text, signal)) : undefined;
    const keys = this.keysOf(user);
    for (let attempt = 0; attempt < 5; attempt++) {
      signal?.throwIfAborted();
      const current = decodeRecord(await this.read((runner) => runner.hget(keys.records, id)));
      if (!current) throw new MemoryNotFoundError(id);
      const record: Omit<MemoryRecord, 'seq' | 'updated'> = { id, memory: text ?? current.memory, metadata: metadata ?? current.metadata };
      const categories = metadata === undefined ? current.categories : categoriesFromMetadata(metadata);
      if (categories) record.categories = categories;
      // A new text brings its own vector and terms; an unchanged one keeps them.
      const kept = text === undefined ? current : { vector, suppliedTerms: indexTerms && termsEntryOf(indexTerms) };
      if (kept.vector !== undefined) record.vector = kept.vector;
      if (kept.suppliedTerms !== undefined) record.suppliedTerms = kept.suppliedTerms;
      const args = [
        id,
        encodeRecordBody(record),
        String(Date.now()),
        this.ttlMs,
        TERMS_VERSION,
        text === undefined ? '' : recordTermsEntry(record),
        this.sessionFieldJson,
        current.updated === undefined ? '' : String(current.updated),
        reason === undefined ? 'null' : JSON.stringify(reason),
      ];
      const [status, stored] = (await this.run(UPDATE_SCRIPT, keys, args)) as [unknown, unknown];
      if (Number(status) === 0) throw new MemoryNotFoundError(id);
      if (Number(status) === 1) return toMemory(decodeRecord(stored)!, user);
    }
    throw new ProviderUnavailableError(this.provider, 'the memory kept changing while it was updated', { isRetryable: true });
  }

  async history(userId: string, memoryId: string, options?: CallOptions): Promise<MemoryHistoryEntry[]> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const [kind, value] = (await this.run(HISTORY_SCRIPT, this.keysOf(user), [id])) as [unknown, unknown];
    if (kind === 'r') {
      const record = decodeRecord(value);
      if (!record) return [];
      const memory = toMemory(record, user);
      return [{ memoryId: id, event: 'add', previousText: null, text: memory.memory, metadata: memory.metadata, at: memory.createdAt }];
    }
    if (kind !== 'h') return [];
    const entries: MemoryHistoryEntry[] = [];
    let previousText: string | null = null;
    for (const [event, at, reason, raw] of decodeVersions(value)) {
      const record = raw === null ? undefined : decodeRecord(raw);
      const entry: MemoryHistoryEntry = {
        memoryId: id,
        event,
        previousText,
        text: record ? record.memory : null,
        metadata: record ? record.metadata : null,
        at: new Date(at).toISOString(),
      };
      if (reason !== null) entry.reason = reason;
      entries.push(entry);
      previousText = entry.text;
    }
    return entries;
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    parseCallOptions(options).signal?.throwIfAborted();
    return Number(await this.run(DELETE_ALL_SCRIPT, this.keysOf(user), [String(Date.now()), this.ttlMs]));
  }

  /**
   * One script call walks the timeline from the cursor and filters in Redis, stopping at `limit`
   * matches, after FILTERED_PAGE_SCAN records or FILTER_WORK_PER_CALL conditions; the next page
   * resumes where it stopped, so no page reads the user again. A page may then hold fewer than `limit` memories and a cursor.
   */
  private async filteredPage(
    keys: UserKeys,
    user: string,
    filter: FilterNode,
    highest: string,
    limit: number,
  ): Promise<MemoryPage> {
    const args = [
      highest,
      String(limit + 1),
      JSON.stringify(filter),
      String(FILTERED_PAGE_SCAN),
      this.sessionFieldJson,
      String(FILTER_WORK_PER_CALL),
    ];
    const reply = (await this.run(FILTERED_PAGE_SCRIPT, keys, args)) as unknown[];
    const lastExamined = String(reply[0] ?? '');
    const page = decodeRecords(reply.slice(1));
    const memories = page.slice(0, limit).map((record) => toMemory(record, user));
    if (page.length > limit) return { memories, nextCursor: encodeCursor(page[limit - 1]!.seq) };
    return { memories, nextCursor: lastExamined === '' ? null : encodeCursor(Number(lastExamined)) };
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
      return await this.runner.runScript(script, keys.all, args);
    } catch (error) {
      throw this.runner.toMemoryError(error);
    }
  }

  private read(command: (runner: RedisCommandRunner) => Promise<unknown>): Promise<unknown> {
    return command(this.runner).catch((error: unknown) => {
      throw this.runner.toMemoryError(error);
    });
  }

  /**
   * Cosine over every stored vector of the user (one HVALS): linear in the user's memories, see
   * the README for where that stops being enough.
   */
  private async searchByEmbedding(
    user: string,
    queryTerms: readonly string[],
    queryVector: number[],
    filter: FilterNode | undefined,
    limit: number,
    minRelevance: number,
  ): Promise<Memory[]> {
    const records = decodeRecords(await this.read((runner) => runner.hvals(this.keysOf(user).records)));
    const lexical = this.ranking === 'hybrid' ? lexicalScorer(queryTerms, records) : undefined;
    const ranked: Memory[] = [];
    for (const record of records) {
      if (record.vector === undefined) continue;
      const memory = toMemory(record, user);
      if (filter && !matchesFilter(memory, filter)) continue;
      const cosine = cosineRelevance(queryVector, decodeVector(record.vector));
      const score = lexical ? hybridScore(lexical(record), cosine) : roundScore(Math.max(0, cosine));
      if (score < minRelevance || (minRelevance > 0 && score === 0)) continue;
      memory.score = score;
      ranked.push(memory);
    }
    return ranked.sort(compareRanked).slice(0, limit);
  }

  private async embedOne(text: string, signal: AbortSignal | undefined): Promise<number[]> {
    const [vector] = await this.embedder!.embed([text], { signal });
    if (!vector || vector.length === 0) {
      throw new ProviderUnavailableError(this.provider, 'the embedder returned no vector', { isRetryable: false });
    }
    return vector;
  }
}

/** What the index holds for a record: its supplied terms, or the core's terms of its text. */
function recordTermsEntry(record: Omit<MemoryRecord, 'seq' | 'updated'>): string {
  return record.suppliedTerms ?? termsEntry(record.memory);
}

type Version = [event: MemoryEvent, at: number, reason: string | null, record: MemoryRecord | string | null];

/**
 * A memory's versions, one JSON array a line: at least two (its add and a change), so never one
 * JSON document that a client parsing replies (@upstash/redis's default) would have decoded.
 */
function decodeVersions(value: unknown): Version[] {
  return String(value)
    .split('\n')
    .map((line) => JSON.parse(line) as Version);
}

function isStale(reply: unknown): boolean {
  return Array.isArray(reply) && reply[0] === 'stale';
}

/**
 * The core's lexical score of each record for `query`, with rarity and lengths over all the
 * user's records (the embedding path reads them all anyway).
 */
function lexicalScorer(queryTerms: readonly string[], records: readonly MemoryRecord[]): (record: MemoryRecord) => number {
  const counts = new Map<MemoryRecord, { frequencies: Map<string, number>; length: number }>();
  const documentFrequency = new Map<string, number>();
  let totalTermCount = 0;
  for (const record of records) {
    const { frequencies, length } = parseTermsEntry(recordTermsEntry(record));
    for (const term of queryTerms) if (frequencies.has(term)) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    totalTermCount += length;
    counts.set(record, { frequencies, length });
  }
  const stats = { memoryCount: records.length, totalTermCount, documentFrequency: (term: string) => documentFrequency.get(term) ?? 0 };
  return (record) => {
    const { frequencies, length } = counts.get(record)!;
    return scoreTerms(queryTerms, { termFrequency: (term) => frequencies.get(term) ?? 0, length }, stats);
  };
}
