import type { FilterCapability, MemoryFilter } from './memory-filter.js';
import type { Memory, Message, Metadata } from './schemas.js';

export interface MemoryCapabilities {
  /** Relevance comes from embeddings (meaning), not only from shared words. */
  semanticSearch: boolean;
  /** Filter operators the provider honours; any other throws UnsupportedFilterError. */
  filters: readonly FilterCapability[];
  /** Memories can expire (the provider was configured with a TTL). */
  ttl: boolean;
  /**
   * `strong`: a write is visible to the next read once its promise resolves.
   * `eventual`: the backend processes writes in the background; poll, or use the provider's
   * read-your-writes option where it has one.
   */
  consistency: 'strong' | 'eventual';
  /** What `add` resolves to: the id of the stored memory, or the backend's event id for asynchronous providers. */
  addResult: 'memory-id' | 'event-id';
  /**
   * `verbatim`: a memory's text is the added messages' content.
   * `extracted`: the backend derives facts from the messages (Mem0, Zep), so the text differs.
   */
  storage: 'verbatim' | 'extracted';
  /** `add` honours `idempotencyKey`: a repeated key stores nothing new. Absent means false. */
  idempotentAdd?: boolean;
  /**
   * `add` honours `indexTerms` and `search` honours `queryTerms`: the store indexes and queries
   * the supplied strings in place of `terms(text)` / `terms(query)` for lexical ranking (with an
   * embedder, similarity still comes from the query text). Absent means false.
   */
  suppliedTerms?: boolean;
  /**
   * `deleteAll` records a per-user forget time, and `add` refuses (stores nothing, resolves to `''`)
   * a write whose `promisedAt` is before it: a write promised before a forget never lands after
   * it, whichever queue, journal, replica or retry sends it. Absent means false.
   */
  forgetFence?: boolean;
  /** `update` changes a memory in place: same id and `createdAt`, a new `updatedAt`, re-indexed. Absent means false. */
  update?: boolean;
  /**
   * `history` returns each memory's versions (add, update, delete). `delete` keeps a memory's
   * history, ending it with a delete entry; `deleteAll` removes it too (forget means forget). Absent means false.
   */
  history?: boolean;
}

export interface CallOptions {
  /** Aborts the call. Providers pass it to their client where the client takes one. */
  signal?: AbortSignal;
}

export interface AddOptions extends CallOptions {
  /**
   * Makes a retried write safe: a provider that honours it (`capabilities.idempotentAdd`) stores
   * one memory per user and key, and an `add` repeated with the same key resolves to the first
   * one's id without storing again. Up to 200 characters. Background writers always send one.
   */
  idempotencyKey?: string;
  /**
   * Terms to index in place of `terms(text)`: opaque strings such as keyed tokens supplied by a
   * wrapper that stores ciphertext. Repeats count as term frequency; the store scores them with
   * `scoreTerms` like its own. Honoured where `capabilities.suppliedTerms`; ignored elsewhere.
   */
  indexTerms?: string[];
  /**
   * When the write was promised (ms since the epoch, the caller's clock): where
   * `capabilities.forgetFence`, a write promised before the user's last `deleteAll` (by the
   * store's clock; replicas' clocks must agree to within the time between a promise and a forget)
   * is not stored. Background writers send the time the reply promised it. Ignored elsewhere.
   */
  promisedAt?: number;
}

export interface SearchOptions extends CallOptions {
  /** Most results to return, 1 to 1000. Default 10. */
  limit?: number;
  filters?: MemoryFilter;
  /** Absolute relevance floor in [0, 1]: results scoring below it are dropped. */
  minRelevance?: number;
  /**
   * Distinct terms to query with in place of `terms(query)`, made like the `indexTerms` of the
   * memories searched. Honoured where `capabilities.suppliedTerms`; ignored elsewhere.
   */
  queryTerms?: string[];
}

export interface GetAllOptions extends CallOptions {
  /** Page size, 1 to 1000. Default 100. */
  limit?: number;
  filters?: MemoryFilter;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

/** What `update` changes. At least one field; `metadata` replaces the stored metadata whole. */
export interface MemoryChanges {
  /** The new text; the memory is indexed (and embedded) again. */
  text?: string;
  metadata?: Metadata;
}

export interface UpdateOptions extends CallOptions {
  /** What caused the change, kept in the memory's history, e.g. `user` or `formation:superseded`. Up to 200 characters. */
  reason?: string;
  /**
   * Terms to index the new `changes.text` by in place of `terms(text)`, as `add`'s `indexTerms`
   * (an update without `text` keeps the memory's terms). Honoured where `capabilities.suppliedTerms`.
   */
  indexTerms?: string[];
}

export type MemoryEvent = 'add' | 'update' | 'delete';

/** One version of a memory, as `history` returns it. */
export interface MemoryHistoryEntry {
  memoryId: string;
  event: MemoryEvent;
  /** The text before the change; null for `add`. */
  previousText: string | null;
  /** The text after the change; null for `delete`. */
  text: string | null;
  /** The metadata after the change; null for `delete`. */
  metadata: Metadata | null;
  /** When it happened, ISO 8601. */
  at: string;
  reason?: string;
}

/** A page of memories, newest first. `nextCursor` is null on the last page. */
export interface MemoryPage {
  memories: Memory[];
  nextCursor: string | null;
}

/**
 * The contract every memory backend implements. Every method validates its input and throws
 * MemoryValidationError naming the field; a user only ever sees and changes their own memories.
 */
export interface MemoryProvider {
  readonly specificationVersion: 'v1';
  /** Short backend name used in metrics and errors, e.g. `in-memory`, `redis`, `mem0`. */
  readonly provider: string;
  readonly capabilities: MemoryCapabilities;

  /**
   * Stores memory from a conversation. Resolves to the id of the stored memory, or, when
   * `capabilities.addResult` is `event-id`, to the backend's id for the pending write.
   */
  add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string>;
  /**
   * The user's memories most relevant to `query`, best first, each with a `score` in [0, 1].
   * Equal scores are ordered newest first (`createdAt` descending), then by `id` ascending
   * (`compareRanked` in `@fastagentic/memory/provider`), so every provider ranks ties alike.
   */
  search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]>;
  /** The user's memories, newest first, a page at a time. */
  getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage>;
  /** One memory, or null when this user has no memory with that id. */
  get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null>;
  /** Deletes one memory; MemoryNotFoundError when this user has no memory with that id. */
  delete(userId: string, memoryId: string, options?: CallOptions): Promise<void>;
  /** Deletes every memory of the user, and their history; resolves to how many were deleted. */
  deleteAll(userId: string, options?: CallOptions): Promise<number>;
  /**
   * Changes a memory's text and/or metadata where `capabilities.update`. Resolves to the memory as
   * stored now; MemoryNotFoundError when this user has no memory with that id.
   */
  update?(userId: string, memoryId: string, changes: MemoryChanges, options?: UpdateOptions): Promise<Memory>;
  /**
   * The memory's versions, oldest first, where `capabilities.history`; `[]` when this user never
   * had it. Kept after `delete` (the last entry is the delete), removed by `deleteAll`.
   */
  history?(userId: string, memoryId: string, options?: CallOptions): Promise<MemoryHistoryEntry[]>;
}

export const DEFAULT_SEARCH_LIMIT = 10;
export const DEFAULT_PAGE_SIZE = 100;
