import {
  MemoryConfigurationError,
  MemoryNotFoundError,
  MemoryValidationError,
  ProviderUnavailableError,
  type AddOptions,
  type CallOptions,
  type Embedder,
  type GetAllOptions,
  type Memory,
  type MemoryCapabilities,
  type MemoryChanges,
  type MemoryFilter,
  type MemoryHistoryEntry,
  type MemoryPage,
  type MemoryProvider,
  type Message,
  type Metadata,
  type SearchOptions,
  type UpdateOptions,
} from '@fastagentic/memory';
import {
  assertFilterSupported,
  categoriesFromMetadata,
  compareRanked,
  cosineRelevance,
  hybridScore,
  matchesFilter,
  MEMORY_LIMITS,
  messagesToMemoryText,
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseMemoryChanges,
  parseSearchOptions,
  parseUpdateOptions,
  roundScore,
  scoreTerms,
  terms,
  TERMS_VERSION,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  type FilterNode,
  type TermStatistics,
} from '@fastagentic/memory/provider';
import { buildIndexFields, indexedFilterCapabilities, toIndexFilter } from './blind-index.js';
import type { CryptoPrimitives } from './crypto-primitives.js';
import { DecryptionCache } from './decryption-cache.js';
import { KeyRing } from './key-ring.js';
import { MemoryDecryptionError } from './memory-decryption-error.js';
import { parseEncryptionKeys, type EncryptionKeyOptions } from './parse-encryption-keys.js';
import { STORED_FIELDS } from './stored-fields.js';

export interface EncryptionOptions extends EncryptionKeyOptions {
  /**
   * Metadata fields that get a blind index so eq/ne/in/nin filters work on them; `categories`
   * means the memory's categories. Default `['categories']`. Every other field is filterable
   * by nothing: its value exists only inside the ciphertext.
   */
  filterableFields?: readonly string[];
  /**
   * Ranks search by embeddings of the plaintext. Vectors are computed at add and stored
   * encrypted; give the embedder here, not to the wrapped provider (it would embed ciphertext).
   */
  embedder?: Embedder;
  /**
   * With an embedder: `'hybrid'` (default) scores `hybridScore(lexical, cosine)` like every
   * provider of the core; `'embedding'` ranks by cosine alone (the behaviour before Relevance v2).
   */
  ranking?: 'hybrid' | 'embedding';
  /**
   * Memories kept decrypted in this process, so repeated reads and searches skip decryption:
   * about 3 KiB of heap per 1 KiB memory. Default 10,000; 0 keeps no plaintext between calls.
   */
  cacheSize?: number;
  /**
   * When the wrapped provider indexes supplied terms (`capabilities.suppliedTerms`: in-memory,
   * Redis, SQLite, PostgreSQL), each memory's terms are handed to it as keyed tokens
   * (HMAC-SHA256 under a key derived per user) and search lets it rank them, decrypting only
   * the results: the same ranking as unencrypted, at the cost of the backend learning which
   * memories share a term (see the README). Default true; `false` keeps every term in the ciphertext and searches by decrypting
   * all of the user's memories in this process. Searches with an embedder always do that.
   */
  blindIndexedSearch?: boolean;
}

/** One memory moved to the active key: its old backend id and the id (or event id) of its new copy. */
export interface ReencryptedMemory {
  from: string;
  to: string;
}

export interface ReencryptResult {
  /** Oldest first. Memories already on the active key are left alone and not listed. */
  moved: ReencryptedMemory[];
}

/** A record sealed for the wrapped provider: its text, its stored metadata and the term tokens to index it by. */
interface SealedRecord {
  envelope: string;
  vectorEnvelope: string | undefined;
  stored: Metadata;
  indexTerms: string[] | undefined;
}

/** A decrypted record: the memory text and the user's metadata as the JSON it was stored as. */
interface OpenedRecord {
  text: string;
  metadataJson: string;
  /** How often each term of `terms(text)` occurs, and their count: computed by the first search that needs them. */
  termCounts?: Map<string, number>;
  length?: number;
}

interface SearchCandidate {
  memory: Memory;
  record: OpenedRecord;
  vector: Float32Array | undefined;
  /** The embedder model recorded beside the vector at add, when the embedder named one. */
  vectorModel: string | undefined;
}

function termCountsOf(record: OpenedRecord): Map<string, number> {
  if (record.termCounts === undefined) {
    const memoryTerms = terms(record.text);
    const counts = new Map<string, number>();
    for (const term of memoryTerms) counts.set(term, (counts.get(term) ?? 0) + 1);
    record.termCounts = counts;
    record.length = memoryTerms.length;
  }
  return record.termCounts;
}

const DEFAULT_FILTERABLE_FIELDS = ['categories'] as const;
const DEFAULT_CACHE_SIZE = 10_000;
/** The query text a backend searching supplied tokens gets: it says nothing of the query. */
const BLIND_QUERY = 'blind-index';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseFilterableFields(fields: unknown): readonly string[] {
  if (fields === undefined) return DEFAULT_FILTERABLE_FIELDS;
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string' && field.length > 0 && field.length <= 128)) {
    throw new MemoryConfigurationError('filterableFields', 'must be an array of metadata field names (1-128 characters)');
  }
  return [...new Set(fields as string[])];
}

function parseCacheSize(size: unknown): number {
  if (size === undefined) return DEFAULT_CACHE_SIZE;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    throw new MemoryConfigurationError('cacheSize', 'must be a whole number of memories, 0 or more');
  }
  return size;
}

function checkProvider(provider: unknown): MemoryProvider {
  const candidate = provider as Partial<MemoryProvider> | null;
  if (
    !isObject(candidate) ||
    candidate.specificationVersion !== 'v1' ||
    !isObject(candidate.capabilities) ||
    typeof candidate.add !== 'function' ||
    typeof candidate.getAll !== 'function'
  ) {
    throw new MemoryConfigurationError('provider', 'must be a MemoryProvider (specificationVersion v1)');
  }
  const checked = candidate as MemoryProvider;
  if (checked.capabilities.storage !== 'verbatim') {
    throw new MemoryConfigurationError(
      'provider',
      `"${checked.provider}" stores what its backend extracts from the messages (capabilities.storage = ` +
        `"${checked.capabilities.storage}"); its extraction would see only ciphertext. Encrypt a provider that ` +
        'stores messages verbatim (in-memory, Redis, Mem0 with inference switched off)',
    );
  }
  return checked;
}

/**
 * A MemoryProvider that encrypts memory text, metadata and embeddings in this process before
 * they reach the wrapped provider, and decrypts them on the way back. Made by `withEncryption`,
 * which picks the runtime's `primitives` (node:crypto on Node, WebCrypto elsewhere).
 *
 * Each add gets a random record id, stored in the clear; every ciphertext of the record binds
 * the user id, the record id and its part (the record, the vector) as associated data.
 */
export class EncryptedMemoryProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider: string;
  readonly capabilities: MemoryCapabilities;
  /** The wrapped provider. Everything it holds is ciphertext, record ids and blind-index tokens. */
  readonly inner: MemoryProvider;
  private readonly ring: KeyRing;
  private readonly filterableFields: readonly string[];
  private readonly embedder: Embedder | undefined;
  private readonly ranking: 'hybrid' | 'embedding';
  private readonly records: DecryptionCache<OpenedRecord>;
  private readonly vectors: DecryptionCache<Float32Array>;
  /** The wrapped provider indexes the tokens handed to it, and search lets it rank. */
  private readonly blindIndexed: boolean;

  constructor(provider: MemoryProvider, options: EncryptionOptions, primitives: CryptoPrimitives) {
    if (!isObject(options)) throw new MemoryConfigurationError('options', 'must be an options object');
    this.inner = checkProvider(provider);
    this.ring = new KeyRing(parseEncryptionKeys(options), primitives);
    this.filterableFields = parseFilterableFields(options.filterableFields);
    const embedder: unknown = options.embedder;
    if (embedder !== undefined && typeof (embedder as Partial<Embedder> | null)?.embed !== 'function') {
      throw new MemoryConfigurationError('embedder', 'must be an Embedder (an object with embed(texts))');
    }
    this.embedder = embedder as Embedder | undefined;
    if (options.ranking !== undefined && options.ranking !== 'hybrid' && options.ranking !== 'embedding') {
      throw new MemoryConfigurationError('ranking', "must be 'hybrid' or 'embedding'");
    }
    this.ranking = options.ranking ?? 'hybrid';
    if (options.blindIndexedSearch !== undefined && typeof options.blindIndexedSearch !== 'boolean') {
      throw new MemoryConfigurationError('blindIndexedSearch', 'must be true or false');
    }
    this.blindIndexed = options.blindIndexedSearch !== false && this.inner.capabilities.suppliedTerms === true;
    const cacheSize = parseCacheSize(options.cacheSize);
    this.records = new DecryptionCache(cacheSize);
    this.vectors = new DecryptionCache(cacheSize);
    this.provider = `encrypted:${this.inner.provider}`;
    const inner = this.inner.capabilities;
    this.capabilities = {
      semanticSearch: this.embedder !== undefined,
      filters: indexedFilterCapabilities(inner.filters, this.ring.keyIds.length, this.filterableFields),
      ttl: inner.ttl,
      consistency: inner.consistency,
      addResult: inner.addResult,
      storage: 'verbatim',
      // A repeated key reaches the backend unchanged, so the backend's guarantee carries over.
      ...(inner.idempotentAdd === true ? { idempotentAdd: true } : {}),
      // So does a write's promisedAt: the backend's forget fence holds as it is.
      ...(inner.forgetFence === true ? { forgetFence: true } : {}),
      // Update re-seals the record under the same record id; history decrypts each version.
      ...(inner.update === true && typeof this.inner.update === 'function' ? { update: true } : {}),
      ...(inner.history === true && typeof this.inner.history === 'function' ? { history: true } : {}),
    };
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const user = validateUserId(userId);
    const validMessages = validateMessages(messages);
    const validMetadata = validateMetadata(metadata);
    const { signal, idempotencyKey, promisedAt } = parseAddOptions(options);
    signal?.throwIfAborted();
    const text = messagesToMemoryText(validMessages);
    const vector = this.embedder ? await this.embed(text, signal) : undefined;
    return this.write(
      user,
      crypto.randomUUID(),
      text,
      validMetadata,
      vector && { vector, model: this.embedder!.modelId },
      signal,
      idempotencyKey,
      promisedAt,
    );
  }

  /**
   * Decrypts the user's memories in this process and ranks them with the core's `terms` and
   * `scoreTerms` (and `hybridScore` with an embedder), so the ranking equals the in-memory
   * provider's: the backend cannot search ciphertext. Rarity counts all the user's memories, so a
   * filter narrows the results, never the statistics. Cost grows with the user's memory count;
   * see the README for measured figures.
   */
  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    signal?.throwIfAborted();
    const queryTerms = [...new Set(terms(text))];
    if (this.blindIndexed && this.embedder === undefined) {
      return this.searchBlindIndex(user, queryTerms, limit, filter, minRelevance, signal);
    }
    const queryVector = this.embedder ? await this.embed(text, signal) : undefined;
    if (queryVector === undefined && queryTerms.length === 0) return [];

    const candidates: SearchCandidate[] = [];
    const documentFrequency = new Map<string, number>(queryTerms.map((term) => [term, 0]));
    let memoryCount = 0;
    let totalTermCount = 0;
    let cursor: string | undefined;
    do {
      const page = await this.inner.getAll(user, { limit: MEMORY_LIMITS.maxLimit, cursor, signal });
      const opened = await Promise.all(
        page.memories.map(async (stored) => ({
          stored,
          record: await this.openRecord(user, stored),
          vector: queryVector === undefined ? undefined : await this.openVector(user, stored),
        })),
      );
      for (const { stored, record, vector } of opened) {
        const counts = termCountsOf(record);
        memoryCount++;
        totalTermCount += record.length!;
        for (const term of queryTerms) if (counts.has(term)) documentFrequency.set(term, documentFrequency.get(term)! + 1);
        const memory = this.toMemory(stored, record);
        // On the plaintext, so a forged index token cannot smuggle a memory into the results.
        if (!matchesFilter(memory, filter)) continue;
        const vectorModel = stored.metadata[STORED_FIELDS.vectorModel];
        candidates.push({ memory, record, vector, vectorModel: typeof vectorModel === 'string' ? vectorModel : undefined });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);

    const statistics: TermStatistics = {
      memoryCount,
      totalTermCount,
      documentFrequency: (term) => documentFrequency.get(term) ?? 0,
    };
    const ranked: Memory[] = [];
    for (const { memory, record, vector, vectorModel } of candidates) {
      const counts = record.termCounts!;
      const lexical =
        queryTerms.length === 0
          ? 0
          : scoreTerms(queryTerms, { termFrequency: (term) => counts.get(term) ?? 0, length: record.length! }, statistics);
      let score = lexical;
      if (queryVector !== undefined) {
        if (vector === undefined) continue;
        const cosine = roundScore(cosineRelevance(queryVector, this.comparableVector(memory.id, vectorModel, vector, queryVector)));
        score = this.ranking === 'hybrid' ? hybridScore(lexical, cosine) : cosine;
      } else if (lexical === 0) {
        // Like the in-memory provider, a memory sharing no term with the query is no result at all.
        continue;
      }
      if (score < minRelevance || (minRelevance > 0 && score === 0)) continue;
      memory.score = score;
      ranked.push(memory);
    }
    return ranked.sort(compareRanked).slice(0, limit);
  }

  /**
   * The wrapped provider ranks the query's tokens with `scoreTerms` over the user's token
   * postings, so scores equal the unencrypted ones when one key is configured; only the
   * results are decrypted. With several keys the query holds each term's token under every
   * key, so memories not yet re-encrypted are found (their scores then differ from unencrypted
   * ones, since the tokens of the other keys count as query terms). The filter goes to the backend on the blind
   * index and is checked again on the plaintext, so a forged token cannot add a result.
   */
  private async searchBlindIndex(
    user: string,
    queryTerms: readonly string[],
    limit: number,
    filter: FilterNode | undefined,
    minRelevance: number,
    signal: AbortSignal | undefined,
  ): Promise<Memory[]> {
    if (queryTerms.length === 0) return [];
    const ordered = [this.ring.activeKeyId, ...this.ring.keyIds.filter((id) => id !== this.ring.activeKeyId)];
    const tokens = (await Promise.all(ordered.map((keyId) => this.ring.termTokens(user, queryTerms, keyId)))).flat();
    const filters = await this.backendFilter(user, filter);
    signal?.throwIfAborted();
    const options: SearchOptions = { limit, minRelevance, queryTerms: tokens, signal };
    if (filters !== undefined) options.filters = filters;
    // The query text itself never leaves this process: the backend searches the tokens alone.
    const found = await this.inner.search(user, BLIND_QUERY, options);
    const records = await Promise.all(found.map((stored) => this.openRecord(user, stored)));
    const results: Memory[] = [];
    found.forEach((stored, index) => {
      const memory = this.toMemory(stored, records[index]!);
      if (!matchesFilter(memory, filter)) return;
      memory.score = stored.score!;
      results.push(memory);
    });
    return results;
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    signal?.throwIfAborted();
    const filters = await this.backendFilter(user, filter);
    const page = await this.inner.getAll(user, { limit, cursor, filters, signal });
    const records = await Promise.all(page.memories.map((stored) => this.openRecord(user, stored)));
    const memories = page.memories.map((stored, index) => this.toMemory(stored, records[index]!));
    return { memories: memories.filter((memory) => matchesFilter(memory, filter)), nextCursor: page.nextCursor };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    const stored = await this.inner.get(user, id, { signal });
    return stored === null ? null : this.toMemory(stored, await this.openRecord(user, stored));
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    await this.inner.delete(user, id, { signal });
  }

  /**
   * Re-seals the whole record (text and metadata share one ciphertext) under the same record id
   * and hands the backend its new term tokens. Reads the record first, so two updates of one
   * memory at once may lose one of the changes: the last read wins.
   */
  async update(userId: string, memoryId: string, changes: MemoryChanges, options?: UpdateOptions): Promise<Memory> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { text, metadata } = parseMemoryChanges(changes);
    const { signal, reason } = parseUpdateOptions(options);
    if (!this.capabilities.update) throw new MemoryConfigurationError('provider', `"${this.inner.provider}" has no update`);
    signal?.throwIfAborted();
    const current = await this.inner.get(user, id, { signal });
    if (current === null) throw new MemoryNotFoundError(id);
    const recordId = this.recordIdOf(current);
    const opened = await this.openRecord(user, current);
    const newText = text ?? opened.text;
    const newMetadata = metadata ?? this.parseMetadata(current, opened);
    let embedding: { vector: Float32Array; model: string | undefined } | undefined;
    if (text !== undefined && this.embedder) embedding = { vector: await this.embed(text, signal), model: this.embedder.modelId };
    else if (text === undefined) {
      // The text is kept, so its vector is too.
      const vector = await this.openVector(user, current);
      const model = current.metadata[STORED_FIELDS.vectorModel];
      if (vector) embedding = { vector, model: typeof model === 'string' ? model : undefined };
    }
    const sealed = await this.seal(user, recordId, newText, newMetadata, embedding, text === undefined ? 'metadata' : 'changes.text');
    signal?.throwIfAborted();
    const updateOptions: UpdateOptions = { signal };
    if (reason !== undefined) updateOptions.reason = reason;
    if (sealed.indexTerms !== undefined) updateOptions.indexTerms = sealed.indexTerms;
    const stored = await this.inner.update!(user, id, { text: sealed.envelope, metadata: sealed.stored }, updateOptions);
    const record: OpenedRecord = { text: newText, metadataJson: JSON.stringify(newMetadata) };
    this.cacheSealed(user, recordId, sealed, record, embedding?.vector);
    return this.toMemory(stored, record);
  }

  /** The backend's versions of the memory, each decrypted; the reason is the backend's, as given to `update`. */
  async history(userId: string, memoryId: string, options?: CallOptions): Promise<MemoryHistoryEntry[]> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    if (!this.capabilities.history) throw new MemoryConfigurationError('provider', `"${this.inner.provider}" has no history`);
    signal?.throwIfAborted();
    const versions = await this.inner.history!(user, id, { signal });
    // Every version of a memory carries its record id but the delete, which has no metadata.
    const withRecordId = versions.find((entry) => entry.metadata !== null);
    if (withRecordId === undefined) return [];
    const sealedAs = (envelope: string, metadata: Metadata): Memory => ({
      id,
      userId: user,
      memory: envelope,
      metadata,
      createdAt: withRecordId.at,
      updatedAt: withRecordId.at,
    });
    const recordMetadata = withRecordId.metadata!;
    return Promise.all(
      versions.map(async (entry) => {
        const opened: MemoryHistoryEntry = {
          memoryId: entry.memoryId,
          event: entry.event,
          previousText: entry.previousText === null ? null : (await this.openRecord(user, sealedAs(entry.previousText, recordMetadata))).text,
          text: null,
          metadata: null,
          at: entry.at,
        };
        if (entry.text !== null) {
          const stored = sealedAs(entry.text, entry.metadata ?? recordMetadata);
          const record = await this.openRecord(user, stored);
          opened.text = record.text;
          opened.metadata = this.parseMetadata(stored, record);
        }
        if (entry.reason !== undefined) opened.reason = entry.reason;
        return opened;
      }),
    );
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    signal?.throwIfAborted();
    return this.inner.deleteAll(user, { signal });
  }

  /**
   * Moves every memory of the user that is not wholly under the active key onto it. The
   * interface has no update, so each is added anew (same record id, same plaintext, new
   * backend id, new createdAt) and the old copy deleted, oldest first so their order holds.
   * Safe to run again after an interruption: an old copy whose new copy exists is just deleted.
   */
  async reencryptUser(userId: string, options?: CallOptions): Promise<ReencryptResult> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    const stored: Memory[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.inner.getAll(user, { limit: MEMORY_LIMITS.maxLimit, cursor, signal });
      stored.push(...page.memories);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);

    const current = new Map<string, string>();
    for (const record of stored) if (this.isOnActiveKey(record)) current.set(this.recordIdOf(record), record.id);
    const moved: ReencryptedMemory[] = [];
    for (const record of stored.reverse()) {
      if (this.isOnActiveKey(record)) continue;
      signal?.throwIfAborted();
      const recordId = this.recordIdOf(record);
      let to = current.get(recordId);
      if (to === undefined) {
        const [opened, vector] = await Promise.all([this.openRecord(user, record), this.openVector(user, record)]);
        const metadata = this.parseMetadata(record, opened);
        const model = record.metadata[STORED_FIELDS.vectorModel];
        const embedding = vector && { vector, model: typeof model === 'string' ? model : undefined };
        to = await this.write(user, recordId, opened.text, metadata, embedding, signal);
        current.set(recordId, to);
      }
      await this.inner.delete(user, record.id, { signal }).catch((error: unknown) => {
        if (!MemoryNotFoundError.isInstance(error)) throw error;
      });
      moved.push({ from: record.id, to });
    }
    return { moved };
  }

  private async write(
    userId: string,
    recordId: string,
    text: string,
    metadata: Metadata,
    embedding: { vector: Float32Array; model: string | undefined } | undefined,
    signal: AbortSignal | undefined,
    idempotencyKey?: string,
    promisedAt?: number,
  ): Promise<string> {
    const sealed = await this.seal(userId, recordId, text, metadata, embedding, 'messages');
    signal?.throwIfAborted();
    const addOptions: AddOptions = idempotencyKey === undefined ? { signal } : { signal, idempotencyKey };
    if (sealed.indexTerms !== undefined) addOptions.indexTerms = sealed.indexTerms;
    if (promisedAt !== undefined) addOptions.promisedAt = promisedAt;
    const id = await this.inner.add(userId, [{ role: 'user', content: sealed.envelope }], sealed.stored, addOptions);
    this.cacheSealed(userId, recordId, sealed, { text, metadataJson: JSON.stringify(metadata) }, embedding?.vector);
    return id;
  }

  /**
   * Encrypts the record (metadata and text in one ciphertext) and the vector, and builds the
   * metadata the backend stores: record id, blind index, vector envelope and model, terms tag.
   * `textField` names the input a too-large text came from.
   */
  private async seal(
    userId: string,
    recordId: string,
    text: string,
    metadata: Metadata,
    embedding: { vector: Float32Array; model: string | undefined } | undefined,
    textField: string,
  ): Promise<SealedRecord> {
    const vector = embedding?.vector;
    const metadataJson = JSON.stringify(metadata);
    const seal = (part: string, plaintext: Uint8Array<ArrayBuffer>) =>
      this.ring.seal(plaintext, KeyRing.associatedData(userId, recordId, part));
    // JSON.stringify escapes newlines, so the first newline separates the metadata from the text.
    const [envelope, vectorEnvelope, indexFields, indexTerms] = await Promise.all([
      seal('record', encoder.encode(`${metadataJson}\n${text}`)),
      vector === undefined ? undefined : seal('vector', new Uint8Array(vector.buffer as ArrayBuffer)),
      buildIndexFields(this.ring, userId, metadata, this.filterableFields),
      this.blindIndexed ? this.ring.termTokens(userId, terms(text), this.ring.activeKeyId) : undefined,
    ]);
    if (envelope.length > MEMORY_LIMITS.maxContentLength) {
      throw new MemoryValidationError(
        metadataJson.length > text.length ? 'metadata' : textField,
        `the memory (${text.length} characters) and its metadata (${metadataJson.length} as JSON) become ` +
          `${envelope.length} characters once encrypted and base64-encoded, above the ${MEMORY_LIMITS.maxContentLength} a provider stores`,
      );
    }
    const stored: Metadata = { [STORED_FIELDS.recordId]: recordId, ...indexFields };
    if (vectorEnvelope !== undefined) stored[STORED_FIELDS.vector] = vectorEnvelope;
    if (embedding?.model !== undefined) stored[STORED_FIELDS.vectorModel] = embedding.model;
    if (indexTerms !== undefined) stored[STORED_FIELDS.termsIndex] = this.termsIndexTag();
    const storedLength = JSON.stringify(stored).length;
    if (storedLength > MEMORY_LIMITS.maxMetadataLength) {
      throw new MemoryValidationError(
        'metadata',
        `its blind index and encrypted vector take ${storedLength} characters, above the ` +
          `${MEMORY_LIMITS.maxMetadataLength} a provider stores`,
      );
    }
    return { envelope, vectorEnvelope, stored, indexTerms };
  }

  /** Keeps what was just sealed decrypted, so the next read of it skips decryption. */
  private cacheSealed(userId: string, recordId: string, sealed: SealedRecord, record: OpenedRecord, vector: Float32Array | undefined): void {
    this.records.set(sealed.envelope, userId, recordId, record);
    if (vector !== undefined && sealed.vectorEnvelope !== undefined) this.vectors.set(sealed.vectorEnvelope, userId, recordId, vector);
  }

  private async backendFilter(userId: string, filter: FilterNode | undefined): Promise<MemoryFilter | undefined> {
    if (filter === undefined) return undefined;
    return toIndexFilter(this.ring, userId, filter, this.filterableFields, this.provider);
  }

  /** The stored vector, when it comes from the configured embedder's model and has its length. */
  private comparableVector(
    memoryId: string,
    storedModel: string | undefined,
    vector: Float32Array,
    queryVector: Float32Array,
  ): Float32Array {
    const model = this.embedder!.modelId;
    if (storedModel !== undefined && model !== undefined && storedModel !== model) {
      throw new MemoryConfigurationError(
        'embedder',
        `memory ${memoryId} was embedded with "${storedModel}" but the embedder is "${model}": ` +
          'configure the model the memories were embedded with, or add them again',
      );
    }
    if (vector.length !== queryVector.length) {
      throw new MemoryConfigurationError(
        'embedder',
        `memory ${memoryId} has a vector of ${vector.length} dimensions but the embedder gives ${queryVector.length}: ` +
          'configure the model the memories were embedded with, or add them again',
      );
    }
    return vector;
  }

  private async embed(text: string, signal: AbortSignal | undefined): Promise<Float32Array> {
    const [vector] = await this.embedder!.embed([text], { signal });
    if (!vector || vector.length === 0) {
      throw new ProviderUnavailableError(this.provider, 'the embedder returned no vector', { isRetryable: false });
    }
    return Float32Array.from(vector);
  }

  private toMemory(stored: Memory, record: OpenedRecord): Memory {
    const metadata = this.parseMetadata(stored, record);
    const memory: Memory = {
      id: stored.id,
      userId: stored.userId,
      memory: record.text,
      metadata,
      createdAt: stored.createdAt,
      updatedAt: stored.updatedAt,
    };
    const categories = categoriesFromMetadata(metadata);
    if (categories) memory.categories = categories;
    return memory;
  }

  /** Parsed afresh for every result, so callers never share (or mutate) the cached copy. */
  private parseMetadata(stored: Memory, record: OpenedRecord): Metadata {
    try {
      const metadata: unknown = JSON.parse(record.metadataJson);
      if (isObject(metadata)) return metadata as Metadata;
    } catch (cause) {
      throw new MemoryDecryptionError(stored.id, 'its metadata is not JSON', { cause });
    }
    throw new MemoryDecryptionError(stored.id, 'its metadata is not a JSON object');
  }

  private recordIdOf(stored: Memory): string {
    const recordId = stored.metadata[STORED_FIELDS.recordId];
    if (typeof recordId !== 'string' || recordId.length === 0) {
      throw new MemoryDecryptionError(stored.id, 'not written by withEncryption (it has no record id)');
    }
    return recordId;
  }

  private async openRecord(userId: string, stored: Memory): Promise<OpenedRecord> {
    const recordId = this.recordIdOf(stored);
    const cached = this.records.get(stored.memory, userId, recordId);
    if (cached !== undefined) return cached;
    const bytes = await this.ring.open(stored.memory, KeyRing.associatedData(userId, recordId, 'record'), stored.id);
    let plaintext: string;
    try {
      plaintext = decoder.decode(bytes);
    } catch (cause) {
      throw new MemoryDecryptionError(stored.id, 'its plaintext is not UTF-8', { cause });
    }
    const split = plaintext.indexOf('\n');
    if (split < 0) throw new MemoryDecryptionError(stored.id, 'its plaintext is not a record');
    const record: OpenedRecord = { metadataJson: plaintext.slice(0, split), text: plaintext.slice(split + 1) };
    this.records.set(stored.memory, userId, recordId, record);
    return record;
  }

  private async openVector(userId: string, stored: Memory): Promise<Float32Array | undefined> {
    const envelope = stored.metadata[STORED_FIELDS.vector];
    if (envelope === undefined) return undefined;
    const recordId = this.recordIdOf(stored);
    const cached = typeof envelope === 'string' ? this.vectors.get(envelope, userId, recordId) : undefined;
    if (cached !== undefined) return cached;
    const bytes = await this.ring.open(envelope, KeyRing.associatedData(userId, recordId, 'vector'), stored.id);
    if (bytes.length % 4 !== 0) throw new MemoryDecryptionError(stored.id, 'its vector is not float32');
    const vector = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    this.vectors.set(envelope as string, userId, recordId, vector);
    return vector;
  }

  /** Whether the record is wholly under the active key, its term tokens included when they are handed to the backend. */
  private isOnActiveKey(stored: Memory): boolean {
    const envelopes: unknown[] = [stored.memory];
    if (stored.metadata[STORED_FIELDS.vector] !== undefined) envelopes.push(stored.metadata[STORED_FIELDS.vector]);
    if (this.blindIndexed && stored.metadata[STORED_FIELDS.termsIndex] !== this.termsIndexTag()) return false;
    return envelopes.every((envelope) => this.ring.keyIdOf(envelope) === this.ring.activeKeyId);
  }

  private termsIndexTag(): string {
    return `${this.ring.activeKeyId}.${TERMS_VERSION}`;
  }
}
