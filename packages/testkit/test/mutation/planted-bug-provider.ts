import {
  MemoryNotFoundError,
  ProviderUnavailableError,
  type AddOptions,
  type CallOptions,
  type GetAllOptions,
  type JsonValue,
  type Memory,
  type MemoryCapabilities,
  type MemoryChanges,
  type MemoryHistoryEntry,
  type MemoryPage,
  type MemoryProvider,
  type Message,
  type Metadata,
  type SearchOptions,
  type UpdateOptions,
} from '@fastagentic/memory';
import {
  ALL_FILTER_CAPABILITIES,
  CATEGORIES_FIELD,
  categoriesFromMetadata,
  compareRanked,
  MEMORY_LIMITS,
  messagesToMemoryText,
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseMemoryChanges,
  parseSearchOptions,
  parseUpdateOptions,
  scoreTerms,
  terms,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  type FilterNode,
} from '@fastagentic/memory/provider';

/** Now, or a millisecond after `previous` when the clock has not passed it. */
function laterTime(previous: string): string {
  return new Date(Math.max(Date.now(), Date.parse(previous) + 1)).toISOString();
}

/** The mistakes real providers made; the conformance suite must fail for each one. */
export const PLANTED_BUGS = [
  'user ids compared case-insensitively',
  'user ids trimmed',
  'user ids NFC-normalized',
  'zero-width characters stripped from user ids',
  'lone surrogates in user ids stored as U+FFFD',
  'ne/nin false when the field is missing',
  'numbers compared as text',
  'equality on an array field is not contains',
  'raw backend errors thrown',
  'scores above 1 with semanticSearch',
  'ties ranked oldest first',
  'idempotency key ignored',
  'update does not re-index',
  'deleteAll keeps history',
  'the broken provider drops the live tables',
  'idempotency keys folded by case and trailing space',
  'content truncated to the limit in UTF-8 bytes',
  'creation times kept in whole seconds',
  'a term longer than a B-tree row refused',
  'deleted memories still counted in the term statistics',
] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

interface Stored {
  seq: number;
  memory: Memory;
  /** The text search indexes: the memory's own, unless an update forgot to re-index. */
  indexed: string;
  idempotencyKey?: string;
}

/** The "database" the providers of one suite share, as real ones share tables. */
export class PlantedTables {
  readonly users = new Map<string, Stored[]>();
  /** Per user: each memory's versions. */
  readonly histories = new Map<string, Map<string, MemoryHistoryEntry[]>>();
  /** Per user: the indexed texts of deleted memories, kept only by a planted bug. */
  readonly ghosts = new Map<string, string[]>();
  nextSeq = 0;

  drop(): void {
    this.users.clear();
    this.histories.clear();
    this.ghosts.clear();
  }
}

/**
 * A small Map-based provider, correct unless a bug is planted. `backendDown` makes every call
 * fail as a backend would (for the suite's typed-error test).
 */
export class PlantedBugProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly provider = 'planted-bug';
  readonly capabilities: MemoryCapabilities;
  private readonly users: Map<string, Stored[]>;
  private readonly histories: Map<string, Map<string, MemoryHistoryEntry[]>>;

  constructor(
    private readonly bug: PlantedBug | undefined,
    private readonly tables: PlantedTables,
    private readonly backendDown = false,
  ) {
    this.users = tables.users;
    this.histories = tables.histories;
    // Like a test setup whose broken provider runs the migrations (or teardown) on the live tables.
    if (backendDown && bug === 'the broken provider drops the live tables') tables.drop();
    this.capabilities = {
      semanticSearch: bug === 'scores above 1 with semanticSearch',
      filters: ALL_FILTER_CAPABILITIES,
      ttl: false,
      consistency: 'strong',
      addResult: 'memory-id',
      storage: 'verbatim',
      idempotentAdd: true,
      update: true,
      history: true,
    };
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const user = this.validUser(userId);
    let text = messagesToMemoryText(validateMessages(messages));
    if (this.bug === 'content truncated to the limit in UTF-8 bytes') {
      const bytes = new TextEncoder().encode(text).subarray(0, MEMORY_LIMITS.maxContentLength);
      text = new TextDecoder().decode(bytes).replace(/\uFFFD$/, '');
    }
    const validMetadata = validateMetadata(metadata);
    const { signal, idempotencyKey } = parseAddOptions(options);
    signal?.throwIfAborted();
    // What PostgreSQL says of a B-tree over terms: "index row size 8016 exceeds btree maximum 2704".
    if (this.bug === 'a term longer than a B-tree row refused' && terms(text).some((term) => term.length > 2_704)) {
      throw new ProviderUnavailableError(this.provider, 'index row size exceeds btree maximum 2704', { isRetryable: false });
    }
    const stored = this.backend(user, true);
    let key = this.bug === 'idempotency key ignored' ? undefined : idempotencyKey;
    if (this.bug === 'idempotency keys folded by case and trailing space') key = key?.toLowerCase().trimEnd();
    const earlier = key === undefined ? undefined : stored.find((item) => item.idempotencyKey === key);
    if (earlier) return earlier.memory.id;
    const now = this.bug === 'creation times kept in whole seconds' ? new Date().toISOString().replace(/\.\d+Z$/, '.000Z') : new Date().toISOString();
    const memory: Memory = { id: crypto.randomUUID(), userId: user, memory: text, metadata: validMetadata, createdAt: now, updatedAt: now };
    const categories = categoriesFromMetadata(validMetadata);
    if (categories) memory.categories = categories;
    stored.push({ seq: this.tables.nextSeq++, memory, indexed: text, ...(key === undefined ? {} : { idempotencyKey: key }) });
    this.record(user, { memoryId: memory.id, event: 'add', previousText: null, text, metadata: structuredClone(validMetadata), at: now });
    return memory.id;
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = this.validUser(userId);
    const queryTerms = [...new Set(terms(validateQuery(query)))];
    const { limit, filter, minRelevance, signal } = parseSearchOptions(options);
    signal?.throwIfAborted();
    const stored = this.backend(user, false);
    const counts = stored.map((item) => terms(item.indexed));
    const ghosts = (this.tables.ghosts.get(this.keyOf(user)) ?? []).map((text) => terms(text));
    const counted = [...counts, ...ghosts];
    const stats = {
      memoryCount: counted.length,
      totalTermCount: counted.reduce((sum, list) => sum + list.length, 0),
      documentFrequency: (term: string) => counted.filter((list) => list.includes(term)).length,
    };
    const ranked: Memory[] = [];
    for (const [index, item] of stored.entries()) {
      const list = counts[index]!;
      let score = scoreTerms(queryTerms, { termFrequency: (term) => list.filter((t) => t === term).length, length: list.length }, stats);
      if (this.bug === 'scores above 1 with semanticSearch') score *= 2;
      if (score === 0 || score < minRelevance || !this.matches(item.memory, filter)) continue;
      ranked.push({ ...structuredClone(item.memory), userId, score });
    }
    ranked.sort(
      this.bug === 'ties ranked oldest first'
        ? (a, b) => b.score! - a.score! || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0)
        : compareRanked,
    );
    return ranked.slice(0, limit);
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = this.validUser(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    signal?.throwIfAborted();
    const before = cursor === undefined ? Number.POSITIVE_INFINITY : Number(cursor);
    const matching = this.backend(user, false)
      .filter((item) => item.seq < before && this.matches(item.memory, filter))
      .reverse();
    const page = matching.slice(0, limit);
    const memories = page.map((item) => ({ ...structuredClone(item.memory), userId }));
    return { memories, nextCursor: matching.length > limit ? String(page.at(-1)!.seq) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = this.validUser(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const found = this.backend(user, false).find((item) => item.memory.id === id);
    return found ? { ...structuredClone(found.memory), userId } : null;
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = this.validUser(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    const stored = this.backend(user, false);
    const index = stored.findIndex((item) => item.memory.id === id);
    if (index < 0) throw new MemoryNotFoundError(id);
    const [removed] = stored.splice(index, 1);
    this.haunt(user, [removed!]);
    const at = laterTime(removed!.memory.updatedAt);
    this.record(user, { memoryId: id, event: 'delete', previousText: removed!.memory.memory, text: null, metadata: null, at });
  }

  async update(userId: string, memoryId: string, changes: MemoryChanges, options?: UpdateOptions): Promise<Memory> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { text, metadata } = parseMemoryChanges(changes);
    const { signal, reason } = parseUpdateOptions(options);
    signal?.throwIfAborted();
    const found = this.backend(user, false).find((item) => item.memory.id === id);
    if (!found) throw new MemoryNotFoundError(id);
    const previousText = found.memory.memory;
    if (text !== undefined) {
      found.memory.memory = text;
      if (this.bug !== 'update does not re-index') found.indexed = text;
    }
    if (metadata !== undefined) {
      found.memory.metadata = metadata;
      const categories = categoriesFromMetadata(metadata);
      if (categories) found.memory.categories = categories;
      else delete found.memory.categories;
    }
    found.memory.updatedAt = laterTime(found.memory.updatedAt);
    const entry: MemoryHistoryEntry = {
      memoryId: id,
      event: 'update',
      previousText,
      text: found.memory.memory,
      metadata: structuredClone(found.memory.metadata),
      at: found.memory.updatedAt,
    };
    if (reason !== undefined) entry.reason = reason;
    this.record(user, entry);
    return { ...structuredClone(found.memory), userId };
  }

  async history(userId: string, memoryId: string, options?: CallOptions): Promise<MemoryHistoryEntry[]> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    this.backend(user, false);
    return structuredClone(this.histories.get(this.keyOf(user))?.get(id) ?? []);
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = this.validUser(userId);
    parseCallOptions(options).signal?.throwIfAborted();
    const count = this.backend(user, false).length;
    this.haunt(user, this.backend(user, false));
    this.users.delete(this.keyOf(user));
    if (this.bug !== 'deleteAll keeps history') this.histories.delete(this.keyOf(user));
    return count;
  }

  private haunt(userId: string, removed: Stored[]): void {
    if (this.bug !== 'deleted memories still counted in the term statistics') return;
    const key = this.keyOf(userId);
    this.tables.ghosts.set(key, [...(this.tables.ghosts.get(key) ?? []), ...removed.map((item) => item.indexed)]);
  }

  private record(userId: string, entry: MemoryHistoryEntry): void {
    const key = this.keyOf(userId);
    let memories = this.histories.get(key);
    if (!memories) this.histories.set(key, (memories = new Map()));
    memories.set(entry.memoryId, [...(memories.get(entry.memoryId) ?? []), entry]);
  }

  private validUser(userId: string): string {
    // What a UTF-8 store does without the core's check: an unpaired surrogate becomes U+FFFD.
    if (this.bug === 'lone surrogates in user ids stored as U+FFFD' && typeof userId === 'string') {
      return validateUserId(new TextDecoder().decode(new TextEncoder().encode(userId)));
    }
    return validateUserId(userId);
  }

  /** The user's records: the one place a backend call happens (and fails, when it is down). */
  private backend(userId: string, create: boolean): Stored[] {
    if (this.backendDown) {
      const raw = new Error('connect ECONNREFUSED 127.0.0.1:1');
      if (this.bug === 'raw backend errors thrown') throw raw;
      throw new ProviderUnavailableError(this.provider, raw.message, { isRetryable: true, cause: raw });
    }
    const key = this.keyOf(userId);
    let stored = this.users.get(key);
    if (!stored) {
      stored = [];
      if (create) this.users.set(key, stored);
    }
    return stored;
  }

  private keyOf(userId: string): string {
    switch (this.bug) {
      case 'user ids compared case-insensitively':
        return userId.toLowerCase();
      case 'user ids trimmed':
        return userId.trim();
      case 'user ids NFC-normalized':
        return userId.normalize('NFC');
      case 'zero-width characters stripped from user ids':
        return userId.replace(/[\u200b-\u200d\ufeff]/g, '');
      default:
        return userId;
    }
  }

  private matches(memory: Memory, node: FilterNode | undefined): boolean {
    if (node === undefined) return true;
    switch (node.kind) {
      case 'and':
        return node.children.every((child) => this.matches(memory, child));
      case 'or':
        return node.children.some((child) => this.matches(memory, child));
      case 'not':
        return !this.matches(memory, node.child);
      case 'condition': {
        const actual = node.field === CATEGORIES_FIELD ? (memory.categories ?? []) : memory.metadata[node.field];
        return this.holds(actual, node.operator, node.value);
      }
    }
  }

  private holds(actual: JsonValue | undefined, operator: string, value: JsonValue): boolean {
    const missingFails = this.bug === 'ne/nin false when the field is missing' && actual === undefined;
    switch (operator) {
      case 'eq':
        if (Array.isArray(actual)) return this.bug === 'equality on an array field is not contains' ? false : actual.includes(value);
        return actual === value;
      case 'ne':
        return !missingFails && !this.holds(actual, 'eq', value);
      case 'in':
        return (value as JsonValue[]).some((candidate) => this.holds(actual, 'eq', candidate));
      case 'nin':
        return !missingFails && !this.holds(actual, 'in', value);
      case 'contains':
        if (typeof actual === 'string') return typeof value === 'string' && actual.includes(value);
        return Array.isArray(actual) && actual.includes(value);
      default: {
        const items = Array.isArray(actual) ? actual : [actual];
        return items.some((item) => this.compare(item, operator, value));
      }
    }
  }

  private compare(actual: JsonValue | undefined, operator: string, expected: JsonValue): boolean {
    let a: unknown = actual;
    let b: unknown = expected;
    if (this.bug === 'numbers compared as text') {
      if (actual === undefined || actual === null || typeof actual === 'object') return false;
      a = String(actual);
      b = String(expected);
    } else if (typeof actual !== typeof expected || (typeof actual !== 'number' && typeof actual !== 'string')) {
      return false;
    }
    const [x, y] = [a as string | number, b as string | number];
    return operator === 'gt' ? x > y : operator === 'gte' ? x >= y : operator === 'lt' ? x < y : x <= y;
  }
}
