import {
  MemoryConfigurationError,
  MemoryNotFoundError,
  MemoryValidationError,
  ProviderUnavailableError,
  type AddOptions,
  type CallOptions,
  type GetAllOptions,
  type Memory,
  type MemoryCapabilities,
  type MemoryChanges,
  type MemoryEvent,
  type MemoryHistoryEntry,
  type MemoryPage,
  type MemoryProvider,
  type Message,
  type Metadata,
  type SearchOptions,
  type UpdateOptions,
  type Embedder,
} from '@fastagentic/memory';
import {
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  categoriesFromMetadata,
  compareRanked,
  cosineRelevance,
  DEFAULT_RETRY_POLICY,
  hybridScore,
  MEMORY_LIMITS,
  messagesToMemoryText,
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseMemoryChanges,
  parseSearchOptions,
  parseUpdateOptions,
  requiredEquality,
  roundScore,
  scoreTerms,
  terms,
  TERMS_VERSION,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  withRetry,
  type FilterNode,
} from '@fastagentic/memory/provider';
import { CommitOutcomeUnknownError, type PostgresRunner, type SqlQueryable } from './postgres-runner.js';
import { migrate, SESSION_ID, SESSION_ID_IS_LIST, tableNames, type TableNames } from './postgres-schema.js';
import { filterToSql, SqlParams } from './sql-filter.js';

/** Options every PostgreSQL client shares. */
export interface PostgresMemoryOptions {
  /** Schema of the tables, created when missing. Default `public`. */
  schema?: string;
  /** Start of every table name, so several stores share a schema. Default `fastagentic_`. */
  tablePrefix?: string;
  /** Session memory: all of a user's memories expire together this long after the user's latest add. */
  ttlSeconds?: number;
  /**
   * Adds embedding similarity to the ranking; vectors are computed once, at add, and stored. A
   * memory's score is then `hybridScore(lexical, cosine)` (see `ranking`).
   */
  embedder?: Embedder;
  /**
   * With an embedder: `'hybrid'` (default) combines the lexical score and cosine similarity with
   * the core's `hybridScore`, so exact names and numbers still win; `'embedding'` ranks by cosine
   * alone (`minRelevance` is then a cosine threshold). As InMemoryProvider ranks.
   */
  ranking?: 'hybrid' | 'embedding';
  /** Vector length, when the embedder does not declare `dimensions`; needed for the HNSW index. */
  dimensions?: number;
  /**
   * Vector search: `hnsw` (default) uses pgvector with an HNSW index when the extension is
   * available and the dimensions are known; `exact` always compares the query with every one of
   * the user's vectors.
   */
  vectorIndex?: 'hnsw' | 'exact';
  /** Hash-partition every table by user_id into this many partitions when the tables are created. */
  partitions?: number;
  /**
   * Most postings read per query term: a term in more of a user's memories contributes its
   * newest `candidateCap` matches as candidates. Default 10,000.
   */
  candidateCap?: number;
  /** Receives the one startup line (schema version, vector search). Default `console.info` when an embedder is set. */
  log?: (line: string) => void;
}

/** How vector search runs, decided at start: pgvector's HNSW index, or an exact scan of the user's vectors. */
export type VectorSearchMode = 'pgvector-hnsw' | 'exact';

const DEFAULT_CANDIDATE_CAP = 10_000;
/**
 * Postings one search reads at most over all its terms (issue 25): they are parsed and scored in
 * this process, so a long query of common words reads candidateCap / terms of each past three terms.
 */
const SEARCH_POSTINGS = 30_000;
/** Memories tied in score with the last result that are loaded to order them exactly (see searchLexically). */
const TIE_WINDOW = 100;
/** Up to this many candidates, their rows come with the candidates in the first statement. */
const EAGER_ROWS = 100;
const CURSOR = /^p1\.(\d{1,16})$/;

interface MemoryRow {
  seq: number;
  id: string;
  content: string;
  metadata: Metadata | string;
  categories: string[] | string | null;
  created_ms: number;
  updated_ms: number;
}

interface UserState {
  terms_version: string;
  expired: boolean;
}

interface Candidate {
  seq: number;
  id: string;
  createdAt: string;
  score: number;
}

const MEMORY_COLUMNS = `m.seq::float8 AS seq, m.id, m.content, m.metadata, m.categories,
  floor(extract(epoch FROM m.created_at) * 1000)::float8 AS created_ms,
  floor(extract(epoch FROM coalesce(m.updated_at, m.created_at)) * 1000)::float8 AS updated_ms`;

/** The time of a change to the memory row `m`: now, or a millisecond after its previous time when the clock has not passed it. */
const CHANGED_AT = `greatest(date_trunc('milliseconds', clock_timestamp()),
  date_trunc('milliseconds', coalesce(m.updated_at, m.created_at)) + interval '1 millisecond')`;

const HISTORY_COLUMNS = '(user_id, memory_id, event, previous_text, text, metadata, at, reason)';

interface HistoryRow {
  memory_id: string;
  event: MemoryEvent;
  previous_text: string | null;
  text: string | null;
  metadata: Metadata | string | null;
  at_ms: number;
  reason: string | null;
}

function parseJson<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

function toMemory(row: MemoryRow, userId: string, score?: number): Memory {
  const memory: Memory = {
    id: row.id,
    userId,
    memory: row.content,
    metadata: parseJson(row.metadata),
    createdAt: new Date(row.created_ms).toISOString(),
    updatedAt: new Date(row.updated_ms).toISOString(),
  };
  if (row.categories !== null) memory.categories = parseJson(row.categories);
  if (score !== undefined) memory.score = score;
  return memory;
}

/** PostgreSQL text cannot hold NUL and jsonb rejects lone surrogates: refuse them as bad input, not as a server error. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function assertStorable(value: string, field: string): void {
  if (UNSTORABLE.test(value)) {
    throw new MemoryValidationError(field, 'PostgreSQL cannot store NUL characters or unpaired surrogates');
  }
}

/** Every key and string of validated metadata must be storable in jsonb. */
function assertStorableJson(value: unknown, field: string): void {
  if (typeof value === 'string') assertStorable(value, field);
  else if (Array.isArray(value)) value.forEach((item, index) => assertStorableJson(item, `${field}.${index}`));
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      assertStorable(key, field);
      assertStorableJson(item, `${field}.${key}`);
    }
  }
}

/** Filter fields and string operands reach PostgreSQL as text parameters, so they must be storable too. */
function assertStorableFilter(node: FilterNode | undefined): void {
  if (node === undefined) return;
  if (node.kind === 'and' || node.kind === 'or') node.children.forEach(assertStorableFilter);
  else if (node.kind === 'not') assertStorableFilter(node.child);
  else {
    assertStorable(node.field, `options.filters.${node.field}`);
    assertStorableJson(node.value, `options.filters.${node.field}.${node.operator}`);
  }
}

function termCounts(list: readonly string[]): { terms: string[]; counts: number[]; length: number } {
  const counts = new Map<string, number>();
  for (const term of list) counts.set(term, (counts.get(term) ?? 0) + 1);
  // Sorted, so concurrent writers touch term rows in one order.
  const sorted = [...counts.keys()].sort();
  return { terms: sorted, counts: sorted.map((term) => counts.get(term)!), length: list.length };
}

interface PreparedItem {
  text: string;
  metadataJson: string;
  categoriesJson: string | null;
  counted: { terms: string[]; counts: number[]; length: number };
  idempotencyKey?: string;
  vector?: number[];
  /** The add's `indexTerms`, indexed in place of `terms(text)` and stored for re-indexing. */
  suppliedTerms?: string[];
  /** When the add was promised (ms): refused if the user was forgotten since. */
  promisedAt?: number;
}

/** Validates one memory's messages and metadata and computes what is stored for it. */
function prepareItem(messages: unknown, metadata: unknown, messagesField: string, metadataField: string): PreparedItem {
  const validMessages = validateMessages(messages, messagesField);
  const validMetadata = validateMetadata(metadata, metadataField);
  validMessages.forEach((message, index) => assertStorable(message.content, `${messagesField}.${index}.content`));
  assertStorableJson(validMetadata, metadataField);
  const text = messagesToMemoryText(validMessages);
  const categories = categoriesFromMetadata(validMetadata);
  return {
    text,
    metadataJson: JSON.stringify(validMetadata),
    categoriesJson: categories === undefined ? null : JSON.stringify(categories),
    counted: termCounts(terms(text)),
  };
}

function hexOf(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function encodeVector(vector: readonly number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(vector).buffer);
}

function decodeVector(bytes: Uint8Array): Float32Array {
  return new Float32Array(Uint8Array.from(bytes).buffer);
}

/** The user's statistics and the query terms' postings, as the lexical statements return them. */
interface LexicalStatsRow {
  memory_count: number;
  total_term_count: number;
  df: Record<string, number> | string | null;
  hits: Array<[number, string, number, number]> | string | null;
}

/**
 * The PostgreSQL store, written once for every client (node-postgres, PGlite). Lexical search
 * reads one user's postings for the query's terms and scores them with the core's `scoreTerms`,
 * from per-user statistics kept in the same transaction as every write, so it ranks exactly as
 * the core does. Filters run in SQL over jsonb.
 */
export class PostgresMemoryProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: MemoryCapabilities;
  /** How vector search runs; known once `ready()` has resolved (undefined without an embedder). */
  vectorSearch: VectorSearchMode | undefined;
  readonly tables: TableNames;
  private readonly ttlMs: number;
  private readonly embedder: Embedder | undefined;
  private readonly ranking: 'hybrid' | 'embedding';
  private readonly dimensions: number | undefined;
  private readonly candidateCap: number;
  private readonly options: PostgresMemoryOptions;
  private starting: Promise<void> | undefined;
  private hnswIterativeScan = false;
  private lastSweep = 0;

  constructor(
    readonly provider: string,
    protected readonly runner: PostgresRunner,
    options: PostgresMemoryOptions,
  ) {
    this.options = options;
    this.tables = tableNames(options.schema ?? 'public', options.tablePrefix ?? 'fastagentic_');
    const ttl = options.ttlSeconds;
    if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) {
      throw new MemoryConfigurationError('ttlSeconds', 'must be a positive number of seconds');
    }
    this.ttlMs = ttl === undefined ? 0 : Math.max(1, Math.round(ttl * 1000));
    const partitions = options.partitions;
    if (partitions !== undefined && !(Number.isInteger(partitions) && partitions >= 2 && partitions <= 1024)) {
      throw new MemoryConfigurationError('partitions', 'must be an integer from 2 to 1024');
    }
    const cap = options.candidateCap ?? DEFAULT_CANDIDATE_CAP;
    if (!(Number.isInteger(cap) && cap >= 1)) throw new MemoryConfigurationError('candidateCap', 'must be a positive integer');
    this.candidateCap = cap;
    const dimensions = options.dimensions ?? options.embedder?.dimensions;
    if (dimensions !== undefined && !(Number.isInteger(dimensions) && dimensions >= 1 && dimensions <= 16_000)) {
      throw new MemoryConfigurationError('dimensions', 'must be an integer from 1 to 16000');
    }
    this.dimensions = dimensions;
    if (options.ranking !== undefined && options.ranking !== 'hybrid' && options.ranking !== 'embedding') {
      throw new MemoryConfigurationError('ranking', "must be 'hybrid' or 'embedding'");
    }
    this.embedder = options.embedder;
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

  /**
   * Creates or migrates the tables and detects pgvector. Every call awaits it, so calling it is
   * optional; a failed start is tried again by the next call.
   */
  ready(): Promise<void> {
    this.starting ??= this.start().catch((error: unknown) => {
      this.starting = undefined;
      throw this.runner.toMemoryError(error);
    });
    return this.starting;
  }

  private async start(): Promise<void> {
    const version = await this.runner.transaction((tx) => migrate(tx, this.tables, { partitions: this.options.partitions }));
    let vectors = '';
    if (this.embedder) {
      this.vectorSearch = await this.prepareVectorIndex();
      vectors = this.vectorSearch === 'pgvector-hnsw' ? ', vector search: pgvector HNSW' : ', vector search: exact (no pgvector HNSW)';
    }
    const log = this.options.log ?? (this.embedder ? (line: string) => console.info(line) : undefined);
    log?.(`${this.provider} memory: ${this.tables.memories} at schema version ${version}${vectors}`);
  }

  /** Adds the pgvector column and its HNSW index when the extension can be had; otherwise vectors are searched exactly. */
  private async prepareVectorIndex(): Promise<VectorSearchMode> {
    if (this.options.vectorIndex === 'exact' || this.dimensions === undefined) return 'exact';
    const [available] = await this.runner.query<{ installed: string | null }>(
      `SELECT installed_version AS installed FROM pg_available_extensions WHERE name = 'vector'`,
    );
    if (!available) return 'exact';
    let version = available.installed;
    if (version === null) {
      try {
        await this.runner.query('CREATE EXTENSION IF NOT EXISTS vector');
      } catch {
        return 'exact'; // Not allowed to create extensions here.
      }
      [{ version }] = (await this.runner.query<{ version: string }>(`SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'`)) as [
        { version: string },
      ];
    }
    const [major = 0, minor = 0] = (version ?? '0').split('.').map(Number);
    this.hnswIterativeScan = major > 0 || minor >= 8;
    const t = this.tables;
    await this.runner.transaction(async (tx) => {
      await tx.query(`ALTER TABLE ${t.memories} ADD COLUMN IF NOT EXISTS embedding_vector vector(${this.dimensions})`);
      const [column] = await tx.query<{ type: string }>(
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'embedding_vector'`,
        [t.memories],
      );
      if (column?.type !== `vector(${this.dimensions})`) {
        throw new MemoryConfigurationError('dimensions', `the stored vectors are ${column?.type}, not vector(${this.dimensions})`);
      }
      await tx.query(
        `CREATE INDEX IF NOT EXISTS "${t.hnswIndex}" ON ${t.memories} USING hnsw (embedding_vector vector_cosine_ops)`,
      );
    });
    return 'pgvector-hnsw';
  }

  async add(userId: string, messages: Message[], metadata?: Metadata, options?: AddOptions): Promise<string> {
    const user = validateUserId(userId);
    assertStorable(user, 'userId');
    const { signal, idempotencyKey, indexTerms, promisedAt } = parseAddOptions(options);
    if (idempotencyKey !== undefined) assertStorable(idempotencyKey, 'options.idempotencyKey');
    const item = prepareItem(messages, metadata, 'messages', 'metadata');
    if (idempotencyKey !== undefined) item.idempotencyKey = idempotencyKey;
    if (promisedAt !== undefined) item.promisedAt = promisedAt;
    if (indexTerms !== undefined) {
      item.suppliedTerms = indexTerms;
      item.counted = termCounts(indexTerms);
    }
    signal?.throwIfAborted();
    if (this.embedder) item.vector = await this.embedOne(item.text, signal);
    try {
      const [id] = await this.store(user, [item], signal);
      return id!;
    } catch (error) {
      throw this.failure(error, signal, idempotencyKey !== undefined);
    }
  }

  /**
   * Stores several memories of one user in one transaction (one statement for the rows, their
   * postings and statistics) and resolves to their ids in order: for imports and background
   * writers. With an embedder, the texts are embedded in one call. Up to 1,000 items.
   */
  async addMany(userId: string, items: Array<{ messages: Message[]; metadata?: Metadata }>, options?: CallOptions): Promise<string[]> {
    const user = validateUserId(userId);
    assertStorable(user, 'userId');
    const { signal } = parseCallOptions(options);
    if (!Array.isArray(items) || items.length === 0 || items.length > MEMORY_LIMITS.maxLimit) {
      throw new MemoryValidationError('items', `expected 1 to ${MEMORY_LIMITS.maxLimit} items`);
    }
    const prepared = items.map((item, index) => {
      if (typeof item !== 'object' || item === null) throw new MemoryValidationError(`items.${index}`, 'expected { messages, metadata? }');
      return prepareItem(item.messages, item.metadata, `items.${index}.messages`, `items.${index}.metadata`);
    });
    signal?.throwIfAborted();
    if (this.embedder) {
      const vectors = await this.embedder.embed(
        prepared.map((item) => item.text),
        { signal },
      );
      prepared.forEach((item, index) => (item.vector = this.checkVector(vectors[index])));
    }
    try {
      return await this.store(user, prepared, signal);
    } catch (error) {
      throw this.failure(error, signal, false);
    }
  }

  /** Inserts prepared memories of one user, with their postings and statistics, in one transaction. */
  private async store(user: string, items: PreparedItem[], signal: AbortSignal | undefined): Promise<string[]> {
    await this.ready();
    signal?.throwIfAborted();
    const t = this.tables;
    const withVector = this.vectorSearch === 'pgvector-hnsw';
    const ids = items.map(() => crypto.randomUUID());
    const postingIds: string[] = [];
    const postingTerms: string[] = [];
    const postingTfs: number[] = [];
    const documentFrequency = new Map<string, number>();
    let totalTerms = 0;
    items.forEach((item, index) => {
      totalTerms += item.counted.length;
      item.counted.terms.forEach((term, position) => {
        postingIds.push(ids[index]!);
        postingTerms.push(term);
        postingTfs.push(item.counted.counts[position]!);
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      });
    });
    // Sorted, so concurrent writers touch statistics rows in one order.
    const dfTerms = [...documentFrequency.keys()].sort();
    const stored = await this.runner.transaction(async (tx) => {
      await this.lockUser(tx, user, true);
      const promisedAt = items.length === 1 ? items[0]!.promisedAt : undefined;
      if (promisedAt !== undefined) {
        const [fence] = await tx.query<{ forgotten_at: string }>(`SELECT forgotten_at FROM ${t.forgets} WHERE user_id = $1`, [user]);
        if (fence && promisedAt < Number(fence.forgotten_at)) return [''];
      }
      const key = items.length === 1 ? items[0]!.idempotencyKey : undefined;
      if (key !== undefined) {
        const [earlier] = await tx.query<{ id: string }>(`SELECT id FROM ${t.memories} WHERE user_id = $1 AND idempotency_key = $2`, [
          user,
          key,
        ]);
        if (earlier) return [earlier.id];
      }
      await tx.query(
        `WITH x AS (
           SELECT * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[], $9::text[], $19::text[])
             WITH ORDINALITY AS x(id, content, metadata, categories, term_count, idempotency_key, embedding, vector, supplied_terms, n)
         ), m AS (
           INSERT INTO ${t.memories} (user_id, id, content, metadata, categories, term_count, idempotency_key, supplied_terms, embedding, embedding_model${withVector ? ', embedding_vector' : ''})
           SELECT $1, x.id, x.content, x.metadata::jsonb, x.categories::jsonb, x.term_count, x.idempotency_key, x.supplied_terms::jsonb,
             decode(x.embedding, 'hex'), CASE WHEN x.embedding IS NOT NULL THEN $18::text END${withVector ? ', x.vector::vector' : ''}
           FROM x ORDER BY x.n RETURNING id, seq, term_count
         ), p AS (
           INSERT INTO ${t.postings} (user_id, term, memory_seq, tf, length)
           SELECT $1, y.term, m.seq, y.tf, m.term_count FROM unnest($10::text[], $11::text[], $12::int[]) AS y(id, term, tf) JOIN m ON m.id = y.id
         ), s AS (
           INSERT INTO ${t.termStats} AS ts (user_id, term, df) SELECT $1, z.term, z.df FROM unnest($13::text[], $14::int[]) AS z(term, df)
           ON CONFLICT (user_id, term) DO UPDATE SET df = ts.df + EXCLUDED.df
         )
         UPDATE ${t.users} SET memory_count = memory_count + $15, total_term_count = total_term_count + $16,
           expires_at = CASE WHEN $17::float8 > 0 THEN clock_timestamp() + $17::float8 * interval '1 millisecond' END
         WHERE user_id = $1`,
        [
          user,
          ids,
          items.map((item) => item.text),
          items.map((item) => item.metadataJson),
          items.map((item) => item.categoriesJson),
          items.map((item) => item.counted.length),
          items.map((item) => item.idempotencyKey ?? null),
          items.map((item) => (item.vector ? hexOf(encodeVector(item.vector)) : null)),
          items.map((item) => (withVector && item.vector ? `[${item.vector.join(',')}]` : null)),
          postingIds,
          postingTerms,
          postingTfs,
          dfTerms,
          dfTerms.map((term) => documentFrequency.get(term)!),
          items.length,
          totalTerms,
          this.ttlMs,
          this.embedder?.modelId ?? null,
          items.map((item) => (item.suppliedTerms ? JSON.stringify(item.suppliedTerms) : null)),
        ],
      );
      return ids;
    }, signal);
    if (this.ttlMs > 0) await this.sweepExpired();
    await this.afterWrite(items.length);
    return stored;
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal, queryTerms: supplied } = parseSearchOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    assertStorableFilter(filter);
    assertStorable(user, 'userId');
    assertStorable(text, 'query');
    signal?.throwIfAborted();
    if (this.embedder) {
      const queryVector = await this.embedOne(text, signal);
      return this.read(signal, () => this.searchByVector(user, text, queryVector, filter, limit, minRelevance, signal));
    }
    const queryTerms = supplied ?? [...new Set(terms(text))];
    if (queryTerms.length === 0) return [];
    return this.read(signal, () => this.searchLexically(user, queryTerms, filter, limit, minRelevance, signal));
  }

  private async searchLexically(
    user: string,
    queryTerms: string[],
    filter: FilterNode | undefined,
    limit: number,
    minRelevance: number,
    signal: AbortSignal | undefined,
  ): Promise<Memory[]> {
    const t = this.tables;
    // One statement: the user's statistics, the query terms' document frequencies, the
    // candidates (each term's postings of this user, newest first, at most candidateCap per term,
    // read from the postings index alone unless a filter needs the memory rows) and, when there
    // are at most EAGER_ROWS candidates (a typical query), their rows, so no second round trip.
    const params = new SqlParams([user, queryTerms, this.postingsPerTerm(queryTerms)]);
    const accepted = filter
      ? ` WHERE EXISTS (SELECT 1 FROM ${t.memories} m WHERE m.user_id = $1 AND m.seq = h.memory_seq AND ${filterToSql(filter, params)})`
      : '';
    const [stats] = await this.runner.query<{
      memory_count: number;
      total_term_count: number;
      terms_version: string;
      expired: boolean;
      df: Record<string, number> | string | null;
      hits: Array<[number, string, number, number]> | string | null;
      rows: MemoryRow[] | string | null;
    }>(
      `WITH q(term) AS (SELECT unnest($2::text[])),
       all_hits AS (
         SELECT p.memory_seq, q.term, p.tf, p.length FROM q CROSS JOIN LATERAL (
           SELECT memory_seq, tf, length FROM ${t.postings} WHERE user_id = $1 AND term = q.term
           ORDER BY memory_seq DESC LIMIT $3) p
       ),
       h AS (SELECT * FROM all_hits h${accepted}),
       few AS (
         SELECT ${MEMORY_COLUMNS} FROM ${t.memories} m
         WHERE m.user_id = $1 AND m.seq IN (SELECT memory_seq FROM h) LIMIT ${EAGER_ROWS + 1}
       )
       SELECT u.memory_count, u.total_term_count::float8 AS total_term_count, u.terms_version,
         (u.expires_at IS NOT NULL AND u.expires_at <= now()) AS expired,
         (SELECT json_object_agg(s.term, s.df) FROM ${t.termStats} s WHERE s.user_id = $1 AND s.term = ANY($2::text[])) AS df,
         (SELECT json_agg(json_build_array(h.memory_seq, h.term, h.tf, h.length)) FROM h) AS hits,
         (SELECT CASE WHEN count(*) <= ${EAGER_ROWS} THEN json_agg(few) END FROM few) AS rows
       FROM ${t.users} u WHERE u.user_id = $1`,
      params.values,
      signal,
    );
    if (!stats || stats.expired || stats.memory_count === 0) return [];
    if (stats.terms_version !== TERMS_VERSION) {
      await this.runner.transaction(async (tx) => {
        if (await this.lockUser(tx, user, false)) await this.reindexUser(tx, user);
      }, signal);
      return this.searchLexically(user, queryTerms, filter, limit, minRelevance, signal);
    }
    const scored: Array<{ seq: number; score: number }> = [];
    for (const [seq, score] of await this.scoreCandidates(user, queryTerms, stats, signal)) {
      if (score < minRelevance || (minRelevance > 0 && score === 0)) continue;
      scored.push({ seq, score });
    }
    // Newest first among equal scores, as compareRanked orders them: a user's writes are
    // serialised, so insertion order is creation order. Memories tied with the last one kept may
    // have been created in the same millisecond and then go by id: up to TIE_WINDOW of them are
    // loaded too and ordered by compareRanked.
    scored.sort((a, b) => b.score - a.score || b.seq - a.seq);
    let end = Math.min(limit, scored.length);
    const boundary = scored[end - 1]?.score;
    while (end < scored.length && end < limit + TIE_WINDOW && scored[end]!.score === boundary) end++;
    const eager = parseJson(stats.rows);
    const rows = eager
      ? new Map(eager.map((row) => [row.seq, row]))
      : await this.loadRows(user, scored.slice(0, end).map(({ seq }) => seq), signal);
    const ranked: Memory[] = [];
    for (const { seq, score } of scored.slice(0, end)) {
      const row = rows.get(seq);
      if (row) ranked.push(toMemory(row, user, score));
    }
    return ranked.sort(compareRanked).slice(0, limit);
  }

  /** Postings read per query term: candidateCap, less for a query of many terms (SEARCH_POSTINGS in all). */
  private postingsPerTerm(queryTerms: readonly string[]): number {
    return Math.max(1, Math.min(this.candidateCap, Math.floor(SEARCH_POSTINGS / queryTerms.length)));
  }

  /**
   * A term in more than candidateCap of the user's memories was read only in part; candidates that
   * came in through other terms get that term's frequency here, so their scores stay exact.
   */
  private async completeCappedTerms(
    user: string,
    queryTerms: string[],
    df: Record<string, number>,
    candidates: Map<number, { frequencies: Map<string, number> }>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const perTerm = this.postingsPerTerm(queryTerms);
    const capped = queryTerms.filter((term) => (df[term] ?? 0) > perTerm);
    if (capped.length === 0 || candidates.size === 0) return;
    const rows = await this.runner.query<{ seq: number; term: string; tf: number }>(
      `SELECT memory_seq::float8 AS seq, term, tf FROM ${this.tables.postings}
       WHERE user_id = $1 AND term = ANY($2::text[]) AND memory_seq = ANY($3::bigint[])`,
      [user, capped, [...candidates.keys()]],
      signal,
    );
    for (const row of rows) candidates.get(row.seq)?.frequencies.set(row.term, row.tf);
  }


  /**
   * Every lexical candidate of the user (all memories holding a query term, up to candidateCap
   * per term) scored with `scoreTerms` over the user's statistics, by seq. No filter: a filter
   * never changes a score, and the vector side applies it.
   */
  private async lexicalScores(user: string, queryTerms: string[], signal: AbortSignal | undefined): Promise<Map<number, number>> {
    const t = this.tables;
    const [stats] = await this.runner.query<{
      memory_count: number;
      total_term_count: number;
      terms_version: string;
      df: Record<string, number> | string | null;
      hits: Array<[number, string, number, number]> | string | null;
    }>(
      `WITH q(term) AS (SELECT unnest($2::text[])),
       h AS (
         SELECT p.memory_seq, q.term, p.tf, p.length FROM q CROSS JOIN LATERAL (
           SELECT memory_seq, tf, length FROM ${t.postings} WHERE user_id = $1 AND term = q.term
           ORDER BY memory_seq DESC LIMIT $3) p
       )
       SELECT u.memory_count, u.total_term_count::float8 AS total_term_count, u.terms_version,
         (SELECT json_object_agg(s.term, s.df) FROM ${t.termStats} s WHERE s.user_id = $1 AND s.term = ANY($2::text[])) AS df,
         (SELECT json_agg(json_build_array(h.memory_seq, h.term, h.tf, h.length)) FROM h) AS hits
       FROM ${t.users} u WHERE u.user_id = $1`,
      [user, queryTerms, this.postingsPerTerm(queryTerms)],
      signal,
    );
    if (!stats || stats.memory_count === 0) return new Map();
    if (stats.terms_version !== TERMS_VERSION) {
      await this.runner.transaction(async (tx) => {
        if (await this.lockUser(tx, user, false)) await this.reindexUser(tx, user);
      }, signal);
      return this.lexicalScores(user, queryTerms, signal);
    }
    return this.scoreCandidates(user, queryTerms, stats, signal);
  }

  /**
   * Scores the candidates a statistics-and-postings row names with `scoreTerms`, by seq, after
   * completing the term frequencies of terms whose postings were capped.
   */
  private async scoreCandidates(
    user: string,
    queryTerms: string[],
    stats: LexicalStatsRow,
    signal: AbortSignal | undefined,
  ): Promise<Map<number, number>> {
    const df = parseJson(stats.df) ?? {};
    const statistics = {
      memoryCount: stats.memory_count,
      totalTermCount: stats.total_term_count,
      documentFrequency: (term: string) => df[term] ?? 0,
    };
    const candidates = new Map<number, { frequencies: Map<string, number>; length: number }>();
    for (const [seq, term, tf, length] of parseJson(stats.hits) ?? []) {
      let candidate = candidates.get(seq);
      if (candidate === undefined) candidates.set(seq, (candidate = { frequencies: new Map(), length }));
      candidate.frequencies.set(term, tf);
    }
    await this.completeCappedTerms(user, queryTerms, df, candidates, signal);
    const scores = new Map<number, number>();
    for (const [seq, { frequencies, length }] of candidates) {
      scores.set(seq, scoreTerms(queryTerms, { termFrequency: (term) => frequencies.get(term) ?? 0, length }, statistics));
    }
    return scores;
  }

  /**
   * Ranks the user's vectors against the query's. Cosine is computed here from the stored float32
   * vectors, as every store computes it; pgvector's HNSW index only chooses the candidates. In
   * hybrid ranking each candidate's cosine is combined with its lexical score, and with HNSW the
   * best lexical candidates join the vector candidates, so an exact name or number the index
   * misses is still found.
   */
  private async searchByVector(
    user: string,
    text: string,
    queryVector: number[],
    filter: FilterNode | undefined,
    limit: number,
    minRelevance: number,
    signal: AbortSignal | undefined,
  ): Promise<Memory[]> {
    await this.ready();
    const t = this.tables;
    const hybrid = this.ranking === 'hybrid';
    const queryTerms = hybrid ? [...new Set(terms(text))] : [];
    const lexical = queryTerms.length > 0 ? await this.lexicalScores(user, queryTerms, signal) : new Map<number, number>();
    const params = new SqlParams([user]);
    const where = (filter ? ` AND ${filterToSql(filter, params)}` : '') + this.unexpired();
    const columns = `m.seq::float8 AS seq, m.id, floor(extract(epoch FROM m.created_at) * 1000)::float8 AS created_ms, m.embedding, m.embedding_model`;
    type VectorRow = { seq: number; id: string; created_ms: number; embedding: Uint8Array; embedding_model: string | null };
    let rows: VectorRow[];
    if (this.vectorSearch === 'pgvector-hnsw') {
      // Each side brings up to twice the limit, so hybrid scores can reorder them.
      const pool = hybrid ? Math.min(MEMORY_LIMITS.maxLimit, limit * 2) : limit;
      const vector = params.add(`[${queryVector.join(',')}]`);
      const count = params.add(pool);
      rows = await this.runner.transaction(async (tx) => {
        // The HNSW graph holds every user's vectors: an iterative scan keeps reading it until
        // `pool` of this user's rows are found (pgvector >= 0.8).
        await tx.query(`SET LOCAL hnsw.ef_search = ${Math.max(40, Math.min(1000, pool * 4))}`);
        if (this.hnswIterativeScan) await tx.query(`SET LOCAL hnsw.iterative_scan = relaxed_order`);
        return tx.query<VectorRow>(
          `SELECT ${columns} FROM ${t.memories} m WHERE m.user_id = $1 AND m.embedding_vector IS NOT NULL${where}
           ORDER BY m.embedding_vector <=> ${vector}::vector LIMIT ${count}`,
          params.values,
        );
      }, signal);
      const found = new Set(rows.map((row) => row.seq));
      const lexicalBest = [...lexical]
        .filter(([seq]) => !found.has(seq))
        .sort((a, b) => b[1] - a[1] || b[0] - a[0])
        .slice(0, pool)
        .map(([seq]) => seq);
      if (lexicalBest.length > 0) {
        const extra = new SqlParams([user, lexicalBest]);
        const extraWhere = (filter ? ` AND ${filterToSql(filter, extra)}` : '') + this.unexpired();
        rows.push(
          ...(await this.runner.query<VectorRow>(
            `SELECT ${columns} FROM ${t.memories} m WHERE m.user_id = $1 AND m.seq = ANY($2::bigint[]) AND m.embedding IS NOT NULL${extraWhere}`,
            extra.values,
            signal,
          )),
        );
      }
    } else {
      rows = await this.runner.query<VectorRow>(
        `SELECT ${columns} FROM ${t.memories} m WHERE m.user_id = $1 AND m.embedding IS NOT NULL${where}`,
        params.values,
        signal,
      );
    }
    const query = Float32Array.from(queryVector);
    const model = this.embedder?.modelId;
    const ranked: Candidate[] = [];
    for (const row of rows) {
      if (model !== undefined && row.embedding_model !== null && row.embedding_model !== model) {
        throw new MemoryConfigurationError(
          'embedder',
          `memory ${row.id} was embedded with "${row.embedding_model}" but the embedder is "${model}": ` +
            'configure the model the memories were embedded with, or add them again',
        );
      }
      const stored = decodeVector(row.embedding);
      if (stored.length !== query.length) {
        throw new MemoryConfigurationError(
          'embedder',
          `returned ${query.length} dimensions for the query but ${stored.length} for stored memories: one store needs one embedding model`,
        );
      }
      const cosine = roundScore(cosineRelevance(query, stored));
      const score = hybrid ? hybridScore(lexical.get(row.seq) ?? 0, cosine) : cosine;
      // An unrelated memory (score 0) is no result, as a memory sharing no term is none in lexical search.
      if (score === 0 || score < minRelevance) continue;
      ranked.push({ seq: row.seq, id: row.id, createdAt: new Date(row.created_ms).toISOString(), score });
    }
    return this.loadRanked(user, ranked.sort(compareRanked).slice(0, limit), signal);
  }

  /** The full rows of the given memories of one user, by seq. */
  private async loadRows(user: string, seqs: number[], signal: AbortSignal | undefined): Promise<Map<number, MemoryRow>> {
    if (seqs.length === 0) return new Map();
    const rows = await this.runner.query<MemoryRow>(
      `SELECT ${MEMORY_COLUMNS} FROM ${this.tables.memories} m WHERE m.user_id = $1 AND m.seq = ANY($2::bigint[])`,
      [user, seqs],
      signal,
    );
    return new Map(rows.map((row) => [row.seq, row]));
  }

  /** The full rows of ranked candidates, in their order. */
  private async loadRanked(user: string, ranked: Candidate[], signal: AbortSignal | undefined): Promise<Memory[]> {
    const rows = await this.loadRows(
      user,
      ranked.map((candidate) => candidate.seq),
      signal,
    );
    const memories: Memory[] = [];
    for (const candidate of ranked) {
      const row = rows.get(candidate.seq);
      if (row) memories.push(toMemory(row, user, candidate.score));
    }
    return memories;
  }


  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    assertStorableFilter(filter);
    assertStorable(user, 'userId');
    let before: number | undefined;
    if (cursor !== undefined) {
      const match = CURSOR.exec(cursor);
      if (!match) throw new MemoryValidationError('options.cursor', 'not a cursor returned by this provider');
      before = Number(match[1]);
    }
    signal?.throwIfAborted();
    const params = new SqlParams([user, limit + 1]);
    let where = this.unexpired();
    if (before !== undefined) where += ` AND m.seq < ${params.add(before)}::bigint`;
    if (filter) where += ` AND ${filterToSql(filter, params)}`;
    const session = filter && requiredEquality(filter, 'sessionId');
    const rowsOf = (condition: string) =>
      `SELECT ${MEMORY_COLUMNS} FROM ${this.tables.memories} m WHERE m.user_id = $1${condition}${where} ORDER BY m.seq DESC LIMIT $2`;
    // A session's rows come through its indexes (by value, and the rows holding a list of session
    // ids), merged newest first, instead of from the user's rows; the filter still decides.
    const sql =
      session === undefined
        ? rowsOf('')
        : `SELECT * FROM ((${rowsOf(` AND ${SESSION_ID} = ${params.add(session)}`)}) UNION ALL (${rowsOf(` AND ${SESSION_ID_IS_LIST}`)})) m
           ORDER BY m.seq DESC LIMIT $2`;
    const rows = await this.read(signal, () => this.runner.query<MemoryRow>(sql, params.values, signal));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      memories: page.map((row) => toMemory(row, user)),
      nextCursor: rows.length > limit && last ? `p1.${last.seq}` : null,
    };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    assertStorable(user, 'userId');
    assertStorable(id, 'memoryId');
    signal?.throwIfAborted();
    const [row] = await this.read(signal, () =>
      this.runner.query<MemoryRow>(
        `SELECT ${MEMORY_COLUMNS} FROM ${this.tables.memories} m WHERE m.user_id = $1 AND m.id = $2${this.unexpired()}`,
        [user, id],
        signal,
      ),
    );
    return row ? toMemory(row, user) : null;
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    assertStorable(user, 'userId');
    assertStorable(id, 'memoryId');
    signal?.throwIfAborted();
    await this.ready();
    const t = this.tables;
    try {
      await this.runner.transaction(async (tx) => {
        if (!(await this.lockUser(tx, user, false))) throw new MemoryNotFoundError(id);
        const [removed] = await tx.query<{ seq: number; content: string; term_count: number; supplied_terms: string[] | null }>(
          `WITH ${this.firstVersion()},
           h AS (INSERT INTO ${t.history} ${HISTORY_COLUMNS}
             SELECT $1, $2, 'delete', m.content, NULL, NULL, ${CHANGED_AT}, NULL FROM ${t.memories} m WHERE m.user_id = $1 AND m.id = $2)
           DELETE FROM ${t.memories} WHERE user_id = $1 AND id = $2 RETURNING seq::float8 AS seq, content, term_count, supplied_terms`,
          [user, id],
        );
        if (!removed) throw new MemoryNotFoundError(id);
        const { terms: removedTerms } = termCounts(removed.supplied_terms ?? terms(removed.content));
        await tx.query(
          `WITH p AS (DELETE FROM ${t.postings} WHERE user_id = $1 AND term = ANY($2::text[]) AND memory_seq = $3::bigint),
           s AS (UPDATE ${t.termStats} SET df = df - 1 WHERE user_id = $1 AND term = ANY($2::text[]))
           UPDATE ${t.users} SET memory_count = memory_count - 1, total_term_count = total_term_count - $4 WHERE user_id = $1`,
          [user, removedTerms, removed.seq, removed.term_count],
        );
        await tx.query(`DELETE FROM ${t.termStats} WHERE user_id = $1 AND term = ANY($2::text[]) AND df <= 0`, [
          user,
          removedTerms,
        ]);
      }, signal);
    } catch (error) {
      throw this.failure(error, signal, true);
    }
  }

  /**
   * One transaction after the user's lock: with a new text, the old row's terms are read, then one
   * statement records the version, changes the row and moves the postings, term statistics and
   * user's count from the old terms to the new, so scores equal a store given the new text at add.
   */
  async update(userId: string, memoryId: string, changes: MemoryChanges, options?: UpdateOptions): Promise<Memory> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { text, metadata } = parseMemoryChanges(changes);
    const { signal, reason, indexTerms } = parseUpdateOptions(options);
    assertStorable(user, 'userId');
    assertStorable(id, 'memoryId');
    if (text !== undefined) assertStorable(text, 'changes.text');
    if (metadata !== undefined) assertStorableJson(metadata, 'changes.metadata');
    if (reason !== undefined) assertStorable(reason, 'options.reason');
    signal?.throwIfAborted();
    const vector = text !== undefined && this.embedder ? await this.embedOne(text, signal) : undefined;
    await this.ready();
    const t = this.tables;
    try {
      const row = await this.runner.transaction(async (tx) => {
        if (!(await this.lockUser(tx, user, false))) throw new MemoryNotFoundError(id);
        const params = new SqlParams([user, id, reason ?? null, this.ttlMs]);
        const set = ['updated_at = old.at'];
        let newText = 'old.content';
        let newMetadata = 'old.metadata';
        let reindex = '';
        let termDelta = '0';
        if (metadata !== undefined) {
          const categories = categoriesFromMetadata(metadata);
          newMetadata = `${params.add(JSON.stringify(metadata))}::jsonb`;
          set.push(`metadata = ${newMetadata}`, `categories = ${params.add(categories ? JSON.stringify(categories) : null)}::jsonb`);
        }
        if (text !== undefined) {
          const [old] = await tx.query<{ seq: number; content: string; supplied_terms: string[] | null }>(
            `SELECT seq::float8 AS seq, content, supplied_terms FROM ${t.memories} WHERE user_id = $1 AND id = $2`,
            [user, id],
          );
          if (!old) throw new MemoryNotFoundError(id);
          const before = termCounts(old.supplied_terms ?? terms(old.content));
          const after = termCounts(indexTerms ?? terms(text));
          const kept = new Set(after.terms);
          const removed = before.terms.filter((term) => !kept.has(term));
          const existing = new Set(before.terms);
          const added = after.terms.filter((term) => !existing.has(term));
          newText = `${params.add(text)}::text`;
          const seq = `${params.add(old.seq)}::bigint`;
          const length = `${params.add(after.length)}::int`;
          termDelta = `${params.add(after.length - before.length)}::bigint`;
          const removedTerms = `${params.add(removed)}::text[]`;
          set.push(
            `content = ${newText}`,
            `term_count = ${length}`,
            `supplied_terms = ${params.add(indexTerms ? JSON.stringify(indexTerms) : null)}::jsonb`,
            `embedding = decode(${params.add(vector ? hexOf(encodeVector(vector)) : null)}, 'hex')`,
            `embedding_model = ${params.add(vector ? (this.embedder?.modelId ?? null) : null)}::text`,
          );
          if (this.vectorSearch === 'pgvector-hnsw') set.push(`embedding_vector = ${params.add(vector ? `[${vector.join(',')}]` : null)}::vector`);
          // Postings and statistics rows touched once each: the removed terms' go, the new text's
          // are inserted or given the new frequency and length.
          reindex = `,
           pd AS (DELETE FROM ${t.postings} WHERE user_id = $1 AND memory_seq = ${seq} AND term = ANY(${removedTerms})),
           pu AS (INSERT INTO ${t.postings} (user_id, term, memory_seq, tf, length)
             SELECT $1, x.term, ${seq}, x.tf, ${length} FROM unnest(${params.add(after.terms)}::text[], ${params.add(after.counts)}::int[]) AS x(term, tf)
             ON CONFLICT (user_id, term, memory_seq) DO UPDATE SET tf = EXCLUDED.tf, length = EXCLUDED.length),
           sd AS (DELETE FROM ${t.termStats} WHERE user_id = $1 AND term = ANY(${removedTerms}) AND df <= 1),
           sm AS (UPDATE ${t.termStats} SET df = df - 1 WHERE user_id = $1 AND term = ANY(${removedTerms}) AND df > 1),
           sa AS (INSERT INTO ${t.termStats} AS ts (user_id, term, df) SELECT $1, term, 1 FROM unnest(${params.add(added)}::text[]) AS term
             ON CONFLICT (user_id, term) DO UPDATE SET df = ts.df + 1)`;
        }
        const [updated] = await tx.query<MemoryRow>(
          `WITH old AS (SELECT m.content, m.metadata, ${CHANGED_AT} AS at FROM ${t.memories} m WHERE m.user_id = $1 AND m.id = $2),
           ${this.firstVersion()},
           h AS (INSERT INTO ${t.history} ${HISTORY_COLUMNS} SELECT $1, $2, 'update', old.content, ${newText}, ${newMetadata}, old.at, $3 FROM old),
           u AS (UPDATE ${t.users} SET total_term_count = total_term_count + ${termDelta},
               expires_at = CASE WHEN $4::float8 > 0 THEN clock_timestamp() + $4::float8 * interval '1 millisecond' END
             WHERE user_id = $1 AND EXISTS (SELECT 1 FROM old))${reindex}
           UPDATE ${t.memories} m SET ${set.join(', ')} FROM old WHERE m.user_id = $1 AND m.id = $2 RETURNING ${MEMORY_COLUMNS}`,
          params.values,
        );
        if (!updated) throw new MemoryNotFoundError(id);
        return updated;
      }, signal);
      return toMemory(row, user);
    } catch (error) {
      throw this.failure(error, signal, false);
    }
  }

  /** One statement: the memory's history rows, or, for a memory that never changed, its add read from its row. */
  async history(userId: string, memoryId: string, options?: CallOptions): Promise<MemoryHistoryEntry[]> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { signal } = parseCallOptions(options);
    assertStorable(user, 'userId');
    assertStorable(id, 'memoryId');
    signal?.throwIfAborted();
    await this.ready();
    const t = this.tables;
    const rows = await this.read(signal, () =>
      this.runner.query<HistoryRow>(
        `SELECT * FROM (
           SELECT h.memory_id, h.event, h.previous_text, h.text, h.metadata, floor(extract(epoch FROM h.at) * 1000)::float8 AS at_ms, h.reason, h.at, h.seq
           FROM ${t.history} h WHERE h.user_id = $1 AND h.memory_id = $2${this.unexpired()}
           UNION ALL
           SELECT m.id, 'add', NULL, m.content, m.metadata, floor(extract(epoch FROM m.created_at) * 1000)::float8, NULL, m.created_at, 0
           FROM ${t.memories} m WHERE m.user_id = $1 AND m.id = $2${this.unexpired()}
             AND NOT EXISTS (SELECT 1 FROM ${t.history} h WHERE h.user_id = $1 AND h.memory_id = $2)
         ) v ORDER BY v.at, v.seq`,
        [user, id],
        signal,
      ),
    );
    return rows.map((row) => {
      const entry: MemoryHistoryEntry = {
        memoryId: row.memory_id,
        event: row.event,
        previousText: row.previous_text,
        text: row.text,
        metadata: row.metadata === null ? null : parseJson(row.metadata),
        at: new Date(row.at_ms).toISOString(),
      };
      if (row.reason !== null) entry.reason = row.reason;
      return entry;
    });
  }

  /** Forgets the user: their memories, postings, statistics and user row, in one statement. */
  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    const { signal } = parseCallOptions(options);
    assertStorable(user, 'userId');
    signal?.throwIfAborted();
    await this.ready();
    const t = this.tables;
    try {
      return await this.runner.transaction(async (tx) => {
        // Waits for a concurrent add of this user, so the delete below sees its rows.
        await tx.query(`SELECT 1 FROM ${t.users} WHERE user_id = $1 FOR UPDATE`, [user]);
        const [row] = await tx.query<{ deleted: number }>(
          `WITH u AS (DELETE FROM ${t.users} WHERE user_id = $1 RETURNING (expires_at IS NOT NULL AND expires_at <= now()) AS expired),
           m AS (DELETE FROM ${t.memories} WHERE user_id = $1 RETURNING 1),
           p AS (DELETE FROM ${t.postings} WHERE user_id = $1),
           s AS (DELETE FROM ${t.termStats} WHERE user_id = $1),
           h AS (DELETE FROM ${t.history} WHERE user_id = $1)
           SELECT (CASE WHEN coalesce((SELECT expired FROM u), false) THEN 0 ELSE (SELECT count(*) FROM m) END)::int AS deleted`,
          [user],
        );
        await tx.query(
          `INSERT INTO ${t.forgets} AS f (user_id, forgotten_at) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET forgotten_at = GREATEST(f.forgotten_at, EXCLUDED.forgotten_at)`,
          [user, Date.now()],
        );
        return row?.deleted ?? 0;
      }, signal);
    } catch (error) {
      throw this.failure(error, signal, true);
    }
  }

  /**
   * Re-indexes every user whose postings were built by another version of the core's term
   * pipeline (TERMS_VERSION). Searches and writes of such a user re-index that user first anyway;
   * this does it ahead of time. Resolves to the number of users re-indexed.
   */
  async reindexTerms(options?: CallOptions): Promise<number> {
    const { signal } = parseCallOptions(options);
    await this.ready();
    let done = 0;
    for (;;) {
      const stale = await this.runner.query<{ user_id: string }>(
        `SELECT user_id FROM ${this.tables.users} WHERE terms_version <> $1 LIMIT 100`,
        [TERMS_VERSION],
        signal,
      );
      if (stale.length === 0) return done;
      for (const { user_id } of stale) {
        await this.runner.transaction(async (tx) => {
          if (await this.lockUser(tx, user_id, false)) await this.reindexUser(tx, user_id);
        }, signal);
        done++;
      }
    }
  }

  /** Deletes every expired user's memories, postings and statistics; resolves to the number of users purged. */
  async purgeExpired(options?: CallOptions): Promise<number> {
    const { signal } = parseCallOptions(options);
    await this.ready();
    const t = this.tables;
    let purged = 0;
    for (;;) {
      const [row] = await this.runner.query<{ purged: number }>(
        `WITH u AS (
           DELETE FROM ${t.users} WHERE user_id IN (
             SELECT user_id FROM ${t.users} WHERE expires_at <= now() LIMIT 200 FOR UPDATE SKIP LOCKED)
           RETURNING user_id),
         m AS (DELETE FROM ${t.memories} WHERE user_id IN (SELECT user_id FROM u)),
         p AS (DELETE FROM ${t.postings} WHERE user_id IN (SELECT user_id FROM u)),
         s AS (DELETE FROM ${t.termStats} WHERE user_id IN (SELECT user_id FROM u)),
         h AS (DELETE FROM ${t.history} WHERE user_id IN (SELECT user_id FROM u))
         SELECT count(*)::int AS purged FROM u`,
        [],
        signal,
      );
      purged += row?.purged ?? 0;
      if ((row?.purged ?? 0) < 200) return purged;
    }
  }

  /** Closes the pool or database the provider created; one passed in is left to its owner. */
  close(): Promise<void> {
    return this.runner.close();
  }

  /** Called after memories were stored; a client without autovacuum keeps the planner's statistics fresh here. */
  protected async afterWrite(_stored: number): Promise<void> {}

  /** Purges expired users at most once per TTL/10, so idle sessions do not keep their rows. */
  private async sweepExpired(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < this.ttlMs / 10) return;
    this.lastSweep = now;
    await this.purgeExpired().catch(() => undefined);
  }

  /**
   * A CTE recording the memory's add (from its row, still unchanged) at its first change, so an
   * unchanged memory has no history rows; `$1` is the user and `$2` the memory's id.
   */
  private firstVersion(): string {
    const t = this.tables;
    return `h0 AS (INSERT INTO ${t.history} ${HISTORY_COLUMNS}
      SELECT $1, $2, 'add', NULL, m.content, m.metadata, m.created_at, NULL FROM ${t.memories} m
      WHERE m.user_id = $1 AND m.id = $2 AND NOT EXISTS (SELECT 1 FROM ${t.history} WHERE user_id = $1 AND memory_id = $2))`;
  }

  private unexpired(): string {
    if (this.ttlMs === 0) return '';
    return ` AND NOT EXISTS (SELECT 1 FROM ${this.tables.users} u WHERE u.user_id = $1 AND u.expires_at <= now())`;
  }

  /**
   * Locks the user's row, which serialises the user's writes (statistics stay exact), after
   * creating it when `create` is set. An expired user is purged first and a user indexed by
   * another term pipeline is re-indexed, so no write mixes them. Resolves to whether the user exists.
   */
  private async lockUser(tx: SqlQueryable, user: string, create: boolean): Promise<boolean> {
    const t = this.tables;
    const [state] = create
      ? await tx.query<UserState>(
          `INSERT INTO ${t.users} (user_id, terms_version) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET user_id = EXCLUDED.user_id
           RETURNING terms_version, (expires_at IS NOT NULL AND expires_at <= now()) AS expired`,
          [user, TERMS_VERSION],
        )
      : await tx.query<UserState>(
          `SELECT terms_version, (expires_at IS NOT NULL AND expires_at <= now()) AS expired FROM ${t.users}
           WHERE user_id = $1 FOR UPDATE`,
          [user],
        );
    if (!state) return false;
    if (state.expired) {
      await tx.query(
        `WITH m AS (DELETE FROM ${t.memories} WHERE user_id = $1),
         p AS (DELETE FROM ${t.postings} WHERE user_id = $1),
         s AS (DELETE FROM ${t.termStats} WHERE user_id = $1),
         h AS (DELETE FROM ${t.history} WHERE user_id = $1)
         UPDATE ${t.users} SET memory_count = 0, total_term_count = 0, expires_at = NULL, terms_version = $2 WHERE user_id = $1`,
        [user, TERMS_VERSION],
      );
      return create;
    }
    if (state.terms_version !== TERMS_VERSION) await this.reindexUser(tx, user);
    return true;
  }

  /** Rebuilds one user's postings and statistics with the current term pipeline. */
  private async reindexUser(tx: SqlQueryable, user: string): Promise<void> {
    const t = this.tables;
    await tx.query(`WITH p AS (DELETE FROM ${t.postings} WHERE user_id = $1) DELETE FROM ${t.termStats} WHERE user_id = $1`, [user]);
    const rows = await tx.query<{ seq: number; content: string; supplied_terms: string[] | null }>(
      `SELECT seq::float8 AS seq, content, supplied_terms FROM ${t.memories} WHERE user_id = $1`,
      [user],
    );
    const documentFrequency = new Map<string, number>();
    let postingTerms: string[] = [];
    let postingSeqs: number[] = [];
    let postingTfs: number[] = [];
    let postingLengths: number[] = [];
    const lengths: number[] = [];
    let total = 0;
    const flush = async () => {
      if (postingTerms.length === 0) return;
      await tx.query(
        `INSERT INTO ${t.postings} (user_id, term, memory_seq, tf, length)
         SELECT $1, x.term, x.seq, x.tf, x.length FROM unnest($2::text[], $3::bigint[], $4::int[], $5::int[]) AS x(term, seq, tf, length)`,
        [user, postingTerms, postingSeqs, postingTfs, postingLengths],
      );
      postingTerms = [];
      postingSeqs = [];
      postingTfs = [];
      postingLengths = [];
    };
    for (const row of rows) {
      // Supplied terms are not the store's to recompute: they are indexed as given.
      const counted = termCounts(row.supplied_terms ?? terms(row.content));
      lengths.push(counted.length);
      total += counted.length;
      counted.terms.forEach((term, index) => {
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
        postingTerms.push(term);
        postingSeqs.push(row.seq);
        postingTfs.push(counted.counts[index]!);
        postingLengths.push(counted.length);
      });
      if (postingTerms.length >= 20_000) await flush();
    }
    await flush();
    await tx.query(
      `INSERT INTO ${t.termStats} (user_id, term, df) SELECT $1, x.term, x.df FROM unnest($2::text[], $3::int[]) AS x(term, df)`,
      [user, [...documentFrequency.keys()], [...documentFrequency.values()]],
    );
    await tx.query(
      `UPDATE ${t.memories} m SET term_count = x.length FROM unnest($2::bigint[], $3::int[]) AS x(seq, length)
       WHERE m.user_id = $1 AND m.seq = x.seq AND m.term_count <> x.length`,
      [user, rows.map((row) => row.seq), lengths],
    );
    await tx.query(
      `UPDATE ${t.users} SET memory_count = $2, total_term_count = $3, terms_version = $4 WHERE user_id = $1`,
      [user, rows.length, total, TERMS_VERSION],
    );
  }

  /** Reads retry on transient failures (a dropped connection, a restarting server) with the core's policy. */
  private async read<T>(signal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    await this.ready();
    return withRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          throw this.failure(error, signal, true);
        }
      },
      { policy: DEFAULT_RETRY_POLICY, signal },
    );
  }

  /**
   * The error a call rejects with: the abort reason after an abort; for a write whose COMMIT was
   * cut off, a ProviderUnavailableError that is retryable only when retrying cannot store twice.
   */
  private failure(error: unknown, signal: AbortSignal | undefined, retrySafe: boolean): unknown {
    if (signal?.aborted) return signal.reason;
    if (error instanceof CommitOutcomeUnknownError) {
      return new ProviderUnavailableError(
        this.provider,
        retrySafe
          ? 'the connection failed during COMMIT; retrying is safe'
          : 'the connection failed during COMMIT, so the write may have been applied (an add: retry it with an idempotency key)',
        { isRetryable: retrySafe, cause: error.cause },
      );
    }
    return this.runner.toMemoryError(error);
  }

  private async embedOne(text: string, signal: AbortSignal | undefined): Promise<number[]> {
    const [vector] = await this.embedder!.embed([text], { signal });
    return this.checkVector(vector);
  }

  private checkVector(vector: number[] | undefined): number[] {
    if (!vector || vector.length === 0) {
      throw new ProviderUnavailableError(this.provider, 'the embedder returned no vector', { isRetryable: false });
    }
    if (this.dimensions !== undefined && vector.length !== this.dimensions) {
      throw new ProviderUnavailableError(this.provider, `the embedder returned ${vector.length} dimensions, expected ${this.dimensions}`, {
        isRetryable: false,
      });
    }
    return vector;
  }

}
