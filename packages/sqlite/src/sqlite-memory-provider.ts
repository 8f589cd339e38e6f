import {
  MemoryConfigurationError,
  MemoryNotFoundError,
  ProviderUnavailableError,
  type CallOptions,
  type Memory,
  type MemoryCapabilities,
  type MemoryChanges,
  type MemoryHistoryEntry,
  type MemoryPage,
  type MemoryProvider,
  type Message,
  type Metadata,
  type AddOptions,
  type GetAllOptions,
  type SearchOptions,
  type UpdateOptions,
  type Embedder,
} from '@fastagentic/memory';
import { ALL_FILTER_CAPABILITIES, assertFilterSupported, categoriesFromMetadata, compareRanked, compileFilter, cosineRelevance, DEFAULT_RETRY_POLICY, DEFAULT_SEARCH_TIME_BUDGET_MS, delay, hybridScore, messagesToMemoryText, parseAddOptions, parseCallOptions, parseGetAllOptions, parseMemoryChanges, parseSearchOptions, parseUpdateOptions, requiredEquality, roundScore, scoreTerms, SearchBudget, terms, TERMS_VERSION, validateMemoryId, validateMessages, validateMetadata, validateQuery, validateUserId, withRetry, type FilterNode } from '@fastagentic/memory/provider';
import {
  decodeCursor,
  decodeHistoryRow,
  decodeMemoryRow,
  decodeVector,
  encodeCursor,
  encodeVector,
  HISTORY_COLUMNS,
  MEMORY_COLUMNS,
  termFrequencies,
  type MemoryRow,
} from './memory-row.js';
import type { SqlResult, SqlRunner, SqlStatement, SqlValue } from './sql-runner.js';
import { forWrite } from './sqlite-error.js';
import { createMetaTable, migrations, SCHEMA_VERSION, SESSION_ID, SESSION_ID_TYPE, setMeta, tablesFor, type SqliteTables } from './sqlite-schema.js';

/** Options every SQLite-dialect client shares. */
export interface SqliteMemoryOptions {
  /** Start of every table name. Default `memory_`. Letters, digits and `_`. */
  tablePrefix?: string;
  /** Session memory: a user's memories expire together this long after the user's latest write. */
  ttlSeconds?: number;
  /**
   * Adds embedding similarity to the ranking; vectors are computed once, at add, and stored. A
   * memory's score is then `hybridScore(lexical, cosine)` (see `ranking`). An embedder's
   * `modelId` is recorded with the vectors, and an embedder of another model is refused.
   */
  embedder?: Embedder;
  /**
   * With an embedder: `'hybrid'` (default) combines the lexical score and cosine similarity with
   * the core's `hybridScore`, so exact names and numbers still win; `'embedding'` ranks by cosine
   * alone (`minRelevance` is then a cosine threshold). As InMemoryProvider ranks.
   */
  ranking?: 'hybrid' | 'embedding';
  /**
   * How long one search may work (ms, default 5,000) before it throws `ProviderUnavailableError`
   * (not retryable) naming its time budget. Its work is paced meanwhile: it yields the event loop
   * every few milliseconds, so other requests are served while it runs (time yielded not counted).
   */
  searchTimeBudgetMs?: number;
}

/**
 * A broad term contributes at most this many of its newest postings to one search, so a term
 * in most of a user's memories cannot make a search read them all. Ranking equals the exact
 * ranking whenever every query term occurs in at most this many of the user's memories.
 */
export const MAX_POSTINGS_PER_TERM = 5_000;
/**
 * Postings one search reads at most, over all its terms: a query of more than two terms reads
 * fewer of each (this divided by the number of terms), so a long query of common words cannot
 * make a search read tens of thousands. Ranking is exact while no term is cut.
 */
export const MAX_SEARCH_POSTINGS = 10_000;
/** Postings one read returns at most: a read of a local file blocks the event loop while it runs. */
const POSTINGS_PER_READ = 4_000;
/** Rows a filtered page examines at most; past it the page returns a cursor (as few rows as passed). */
const FILTERED_PAGE_SCAN = 2_000;
/** Adds waiting while a write is in flight are committed together, at most this many at a time. */
const MAX_ADDS_PER_TRANSACTION = 500;
/** Memories read per round trip while a filter or the scores leave room for more. */
const ROWS_PER_READ = 100;

interface Candidate {
  seq: number;
  score: number;
}

interface PendingAdd {
  user: string;
  id: string;
  /** Inserts the memory row; a repeated idempotency key, or the forget fence, makes it insert nothing. */
  insert: SqlStatement;
  /** Reads the id stored under the add's idempotency key, when it has one. */
  idQuery: SqlStatement | undefined;
  resolve: (id: string) => void;
  reject: (error: unknown) => void;
}

/**
 * The SQLite-dialect store, written once for every client: each method validates its input, then
 * runs one batch of statements (one transaction). Search reads the user's postings of the query's
 * terms and scores them with the core's `scoreTerms`, so it ranks as every other store does.
 */
export class SqliteMemoryProvider implements MemoryProvider {
  readonly specificationVersion = 'v1' as const;
  readonly capabilities: MemoryCapabilities;
  private readonly tables: SqliteTables;
  private readonly ttlMs: number | undefined;
  private readonly embedder: Embedder | undefined;
  private readonly ranking: 'hybrid' | 'embedding';
  private readonly searchTimeBudgetMs: number;
  /** Set at open when the vectors stored were made by another model than the embedder's. */
  private modelMismatch: MemoryConfigurationError | undefined;
  private ready: Promise<void> | undefined;
  private readonly queue: PendingAdd[] = [];
  private writing = false;
  private lastSweep = 0;

  constructor(
    readonly provider: string,
    private readonly runner: SqlRunner,
    options: SqliteMemoryOptions,
  ) {
    this.tables = tablesFor(options.tablePrefix ?? 'memory_');
    const ttl = options.ttlSeconds;
    if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) {
      throw new MemoryConfigurationError('ttlSeconds', 'must be a positive number of seconds');
    }
    this.ttlMs = ttl === undefined ? undefined : Math.max(1, Math.round(ttl * 1000));
    if (options.ranking !== undefined && options.ranking !== 'hybrid' && options.ranking !== 'embedding') {
      throw new MemoryConfigurationError('ranking', "must be 'hybrid' or 'embedding'");
    }
    this.embedder = options.embedder;
    this.ranking = options.ranking ?? 'hybrid';
    const budget = options.searchTimeBudgetMs ?? DEFAULT_SEARCH_TIME_BUDGET_MS;
    if (!(Number.isFinite(budget) && budget > 0)) {
      throw new MemoryConfigurationError('searchTimeBudgetMs', 'must be a positive number of milliseconds');
    }
    this.searchTimeBudgetMs = budget;
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
    const vector = this.embedder ? encodeVector(await this.embedOne(text, signal)) : null;
    signal?.throwIfAborted();
    await this.open();
    if (this.modelMismatch) throw this.modelMismatch;
    const memoryTerms = indexTerms ?? terms(text);
    const categories = categoriesFromMetadata(validMetadata);
    const id = crypto.randomUUID();
    const now = Date.now();
    const t = this.tables;
    const insert: SqlStatement = {
      // SELECT … WHERE, not VALUES: a write promised before the user's last forget inserts nothing.
      sql: `INSERT INTO ${t.memories} (id, user_id, content, metadata, categories, created_at, term_count, terms, idempotency_key, vector, supplied_terms)
        SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11
        WHERE ?12 IS NULL OR NOT EXISTS (SELECT 1 FROM ${t.forgets} WHERE user_id = ?2 AND forgotten_at > ?12)
        ON CONFLICT DO NOTHING`,
      args: [
        id,
        user,
        text,
        JSON.stringify(validMetadata),
        categories ? JSON.stringify(categories) : null,
        now,
        memoryTerms.length,
        JSON.stringify(termFrequencies(memoryTerms)),
        idempotencyKey ?? null,
        vector,
        indexTerms === undefined ? 0 : 1,
        promisedAt ?? null,
      ],
    };
    const idQuery =
      idempotencyKey === undefined
        ? undefined
        : { sql: `SELECT id FROM ${t.memories} WHERE user_id = ?1 AND idempotency_key = ?2`, args: [user, idempotencyKey] };
    return new Promise<string>((resolve, reject) => {
      this.queue.push({ user, id, insert, idQuery, resolve, reject });
      if (!this.writing) void this.flushAdds();
    });
  }

  async search(userId: string, query: string, options?: SearchOptions): Promise<Memory[]> {
    const user = validateUserId(userId);
    const text = validateQuery(query);
    const { limit, filter, minRelevance, signal, queryTerms } = parseSearchOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    signal?.throwIfAborted();
    const queryVector = this.embedder ? Float32Array.from(await this.embedOne(text, signal)) : undefined;
    await this.open();
    if (this.modelMismatch) throw this.modelMismatch;
    const budget = new SearchBudget(this.provider, this.searchTimeBudgetMs);
    const lexicalTerms = queryTerms ?? [...new Set(terms(text))];
    const ranked = queryVector
      ? await this.rankWithEmbedding(user, lexicalTerms, queryVector, budget)
      : await this.rankLexically(user, lexicalTerms, budget);
    const candidates = ranked.filter(({ score }) => score >= minRelevance && !(minRelevance > 0 && score === 0));
    candidates.sort((a, b) => b.score - a.score);
    return this.topRows(user, candidates, filter, limit, budget);
  }

  async getAll(userId: string, options?: GetAllOptions): Promise<MemoryPage> {
    const user = validateUserId(userId);
    const { limit, filter, cursor, signal } = parseGetAllOptions(options);
    assertFilterSupported(filter, this.provider, this.capabilities.filters);
    let before = cursor === undefined ? Number.MAX_SAFE_INTEGER : decodeCursor(cursor);
    signal?.throwIfAborted();
    await this.open();
    const page: MemoryRow[] = [];
    // Without a filter one read of limit + 1 rows decides the page; with one, rows are read newest
    // first until limit + 1 pass it or the user's memories run out.
    // A filtered page examines at most FILTERED_PAGE_SCAN rows, yielding between reads; when it
    // stops there, its cursor resumes after the last row examined.
    const chunk = filter ? Math.max(limit + 1, ROWS_PER_READ) : limit + 1;
    const session = filter && requiredSessionId(filter);
    const accepts = filter && compileFilter(filter);
    let examined = 0;
    for (;;) {
      const [result] = await this.read([session === undefined ? this.pageRows(user, before, chunk) : this.sessionRows(user, session, before, chunk)]);
      const rows = result!.rows;
      for (const row of rows) {
        const decoded = decodeMemoryRow(row, user);
        examined++;
        before = decoded.seq;
        if (accepts && !accepts(decoded.memory)) continue;
        page.push(decoded);
        if (page.length > limit) break;
      }
      if (page.length > limit || rows.length < chunk) break;
      if (examined >= FILTERED_PAGE_SCAN) {
        return { memories: page.map((row) => row.memory), nextCursor: encodeCursor(before) };
      }
      await delay(0);
    }
    const more = page.length > limit;
    const memories = page.slice(0, limit);
    const last = memories[memories.length - 1];
    return { memories: memories.map((row) => row.memory), nextCursor: more && last ? encodeCursor(last.seq) : null };
  }

  async get(userId: string, memoryId: string, options?: CallOptions): Promise<Memory | null> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    await this.open();
    const [result] = await this.read([
      {
        sql: `SELECT ${MEMORY_COLUMNS} FROM ${this.tables.memories} WHERE id = ?1 AND user_id = ?2 ${this.liveCondition(2, 3)}`,
        args: this.withNow([id, user]),
      },
    ]);
    const row = result!.rows[0];
    return row ? decodeMemoryRow(row, user).memory : null;
  }

  async delete(userId: string, memoryId: string, options?: CallOptions): Promise<void> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    await this.open();
    const t = this.tables;
    const memory = `FROM ${t.memories} WHERE user_id = ?1 AND id = ?2`;
    const memoryTerms = `SELECT key FROM json_each((SELECT terms ${memory}))`;
    const now = Date.now();
    const statements = this.purgeIfExpired(user, now);
    statements.push(...this.recordVersion(user, id, 'delete', now));
    const deleteAt = statements.length + 4;
    statements.push(
      { sql: `UPDATE ${t.termStats} SET df = df - 1 WHERE user_id = ?1 AND term IN (${memoryTerms})`, args: [user, id] },
      { sql: `DELETE FROM ${t.termStats} WHERE user_id = ?1 AND df <= 0 AND term IN (${memoryTerms})`, args: [user, id] },
      {
        sql: `DELETE FROM ${t.postings} WHERE user_id = ?1 AND term IN (${memoryTerms}) AND seq = (SELECT seq ${memory})`,
        args: [user, id],
      },
      {
        sql: `UPDATE ${t.users} SET memory_count = memory_count - 1, term_count = term_count - (SELECT term_count ${memory})
          WHERE user_id = ?1 AND EXISTS (SELECT 1 ${memory})`,
        args: [user, id],
      },
      { sql: `DELETE ${memory}`, args: [user, id] },
      // With a TTL the user's row outlives their last memory while their history does, so it expires that too.
      {
        sql: `DELETE FROM ${t.users} WHERE user_id = ?1 AND memory_count <= 0${this.ttlMs === undefined ? '' : ` AND NOT EXISTS (SELECT 1 FROM ${t.history} WHERE user_id = ?1)`}`,
        args: [user],
      },
    );
    const results = await this.write(statements);
    if (results[deleteAt]!.rowsAffected !== 1) throw new MemoryNotFoundError(id);
  }

  /**
   * One transaction: the version is recorded, the old text's postings and term statistics are
   * removed and the new text's written (as an add writes them), so scores after an update equal a
   * store that was given the new text at add.
   */
  async update(userId: string, memoryId: string, changes: MemoryChanges, options?: UpdateOptions): Promise<Memory> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    const { text, metadata } = parseMemoryChanges(changes);
    const { signal, reason, indexTerms } = parseUpdateOptions(options);
    signal?.throwIfAborted();
    const vector = text !== undefined && this.embedder ? encodeVector(await this.embedOne(text, signal)) : null;
    signal?.throwIfAborted();
    await this.open();
    if (this.modelMismatch && text !== undefined) throw this.modelMismatch;
    const t = this.tables;
    const now = Date.now();
    const memory = `FROM ${t.memories} WHERE user_id = ?1 AND id = ?2`;
    const statements = this.purgeIfExpired(user, now);
    statements.push(...this.recordVersion(user, id, 'update', now, { text, metadata, reason }));
    const columns = [`updated_at = max(?3, coalesce(updated_at, created_at) + 1)`];
    const args: SqlValue[] = [user, id, now];
    if (metadata !== undefined) {
      const categories = categoriesFromMetadata(metadata);
      args.push(JSON.stringify(metadata), categories ? JSON.stringify(categories) : null);
      columns.push(`metadata = ?${args.length - 1}`, `categories = ?${args.length}`);
    }
    if (text === undefined) {
      statements.push({ sql: `UPDATE ${t.memories} SET ${columns.join(', ')} WHERE user_id = ?1 AND id = ?2`, args });
    } else {
      const memoryTerms = indexTerms ?? terms(text);
      const oldTerms = `SELECT key FROM json_each((SELECT terms ${memory}))`;
      const updated = `FROM ${t.memories} m, json_each(m.terms) j WHERE m.user_id = ?1 AND m.id = ?2`;
      args.push(text, memoryTerms.length, JSON.stringify(termFrequencies(memoryTerms)), indexTerms === undefined ? 0 : 1, vector);
      const at = args.length - 4;
      columns.push(`content = ?${at}`, `term_count = ?${at + 1}`, `terms = ?${at + 2}`, `supplied_terms = ?${at + 3}`, `vector = ?${at + 4}`);
      statements.push(
        { sql: `UPDATE ${t.termStats} SET df = df - 1 WHERE user_id = ?1 AND term IN (${oldTerms})`, args: [user, id] },
        { sql: `DELETE FROM ${t.termStats} WHERE user_id = ?1 AND df <= 0 AND term IN (${oldTerms})`, args: [user, id] },
        { sql: `DELETE FROM ${t.postings} WHERE user_id = ?1 AND term IN (${oldTerms}) AND seq = (SELECT seq ${memory})`, args: [user, id] },
        {
          sql: `UPDATE ${t.users} SET term_count = term_count - (SELECT term_count ${memory}) + ?3 WHERE user_id = ?1 AND EXISTS (SELECT 1 ${memory})`,
          args: [user, id, memoryTerms.length],
        },
        { sql: `UPDATE ${t.memories} SET ${columns.join(', ')} WHERE user_id = ?1 AND id = ?2`, args },
        { sql: `INSERT INTO ${t.postings} (user_id, term, seq, tf, length) SELECT m.user_id, j.key, m.seq, j.value, m.term_count ${updated}`, args: [user, id] },
        {
          sql: `INSERT INTO ${t.termStats} (user_id, term, df) SELECT m.user_id, j.key, 1 ${updated} ON CONFLICT (user_id, term) DO UPDATE SET df = df + 1`,
          args: [user, id],
        },
      );
    }
    // An update is a write: a session user's memories live on from it.
    if (this.ttlMs !== undefined) {
      statements.push({ sql: `UPDATE ${t.users} SET expires_at = ?3 WHERE user_id = ?1 AND EXISTS (SELECT 1 ${memory})`, args: [user, id, now + this.ttlMs] });
    }
    statements.push({ sql: `SELECT ${MEMORY_COLUMNS} ${memory}`, args: [user, id] });
    const results = await this.write(statements);
    const row = results[results.length - 1]!.rows[0];
    if (!row) throw new MemoryNotFoundError(id);
    return decodeMemoryRow(row, user).memory;
  }

  async history(userId: string, memoryId: string, options?: CallOptions): Promise<MemoryHistoryEntry[]> {
    const user = validateUserId(userId);
    const id = validateMemoryId(memoryId);
    parseCallOptions(options).signal?.throwIfAborted();
    await this.open();
    const t = this.tables;
    const [versions, current] = await this.read([
      {
        sql: `SELECT ${HISTORY_COLUMNS} FROM ${t.history} WHERE user_id = ?1 AND memory_id = ?2 ${this.liveCondition(1, 3)} ORDER BY seq`,
        args: this.withNow([user, id]),
      },
      { sql: `SELECT content, metadata, created_at FROM ${t.memories} WHERE user_id = ?1 AND id = ?2 ${this.liveCondition(1, 3)}`, args: this.withNow([user, id]) },
    ]);
    if (versions!.rows.length > 0) return versions!.rows.map(decodeHistoryRow);
    // A memory that never changed has no rows yet: its one version is its add.
    const row = current!.rows[0];
    return row ? [decodeHistoryRow([id, 'add', null, row[0], row[1], row[2], null])] : [];
  }

  async deleteAll(userId: string, options?: CallOptions): Promise<number> {
    const user = validateUserId(userId);
    parseCallOptions(options).signal?.throwIfAborted();
    await this.open();
    const now = Date.now();
    const statements = this.purgeIfExpired(user, now);
    const deleteAt = statements.length + 2;
    statements.push(...this.deleteUser(user), {
      sql: `INSERT INTO ${this.tables.forgets} (user_id, forgotten_at) VALUES (?1, ?2)
        ON CONFLICT (user_id) DO UPDATE SET forgotten_at = max(forgotten_at, excluded.forgotten_at)`,
      args: [user, now],
    });
    const results = await this.write(statements);
    return results[deleteAt]!.rowsAffected;
  }

  /**
   * Rebuilds the term index from the stored texts with this version of `terms()`. Runs on its own
   * when the index was built by another version; until it finishes the version recorded is not
   * the current one, so an interrupted rebuild is redone at the next open and versions never mix.
   */
  async reindexTerms(): Promise<void> {
    const t = this.tables;
    await this.write([
      setMeta(t, 'terms_version', 'reindexing'),
      { sql: `DELETE FROM ${t.postings}`, args: [] },
      { sql: `DELETE FROM ${t.termStats}`, args: [] },
      { sql: `UPDATE ${t.users} SET term_count = 0`, args: [] },
    ]);
    let after = 0;
    for (;;) {
      const [page] = await this.read([
        { sql: `SELECT seq, content, supplied_terms FROM ${t.memories} WHERE seq > ?1 ORDER BY seq LIMIT 500`, args: [after] },
      ]);
      const rows = page!.rows;
      if (rows.length === 0) break;
      const statements: SqlStatement[] = [];
      for (const [seq, content, supplied] of rows) {
        // Supplied terms are not the store's to recompute: their postings are rebuilt as given.
        if (Number(supplied) !== 1) {
          const memoryTerms = terms(String(content));
          statements.push({
            sql: `UPDATE ${t.memories} SET term_count = ?2, terms = ?3 WHERE seq = ?1`,
            args: [Number(seq), memoryTerms.length, JSON.stringify(termFrequencies(memoryTerms))],
          });
        }
        statements.push(
          {
            sql: `INSERT INTO ${t.postings} (user_id, term, seq, tf, length)
              SELECT m.user_id, j.key, m.seq, j.value, m.term_count FROM ${t.memories} m, json_each(m.terms) j WHERE m.seq = ?1`,
            args: [Number(seq)],
          },
          {
            sql: `INSERT INTO ${t.termStats} (user_id, term, df)
              SELECT m.user_id, j.key, 1 FROM ${t.memories} m, json_each(m.terms) j WHERE m.seq = ?1
              ON CONFLICT (user_id, term) DO UPDATE SET df = df + 1`,
            args: [Number(seq)],
          },
          {
            sql: `UPDATE ${t.users} SET term_count = term_count + (SELECT term_count FROM ${t.memories} WHERE seq = ?1)
              WHERE user_id = (SELECT user_id FROM ${t.memories} WHERE seq = ?1)`,
            args: [Number(seq)],
          },
        );
      }
      await this.write(statements);
      after = Number(rows[rows.length - 1]![0]);
    }
    await this.write([setMeta(t, 'terms_version', TERMS_VERSION)]);
  }

  /** Closes the client the provider created; a client passed in is left to its owner. */
  async close(): Promise<void> {
    await this.runner.close();
  }

  /** Creates or migrates the schema on first use, and rebuilds the term index if `terms()` changed. */
  private open(): Promise<void> {
    this.ready ??= this.migrate().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async migrate(): Promise<void> {
    const t = this.tables;
    const [, versions] = await this.write([
      createMetaTable(t),
      { sql: `SELECT key, value FROM ${t.meta} WHERE key IN ('schema_version', 'terms_version', 'embedding_model')`, args: [] },
    ]);
    const meta = new Map(versions!.rows.map(([key, value]) => [String(key), String(value)]));
    const current = Number(meta.get('schema_version') ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new MemoryConfigurationError(
        'tablePrefix',
        `the tables were created by a newer version of @fastagentic/sqlite (schema ${current}, this one knows ${SCHEMA_VERSION})`,
      );
    }
    if (current < SCHEMA_VERSION) {
      const statements: SqlStatement[] = [];
      for (const migration of migrations(t).slice(current)) for (const sql of migration) statements.push({ sql, args: [] });
      statements.push(setMeta(t, 'schema_version', String(SCHEMA_VERSION)));
      // A fresh store has nothing to re-index: record the version its index is built with.
      if (current === 0) statements.push(setMeta(t, 'terms_version', TERMS_VERSION));
      await this.write(statements);
    }
    if (current !== 0 && meta.get('terms_version') !== TERMS_VERSION) await this.reindexTerms();
    await this.recordEmbeddingModel(meta.get('embedding_model'));
  }

  /**
   * The first embedder with a `modelId` names the model of the store's vectors; another model's
   * vectors are never compared with them (adds and searches are refused, reads still work).
   */
  private async recordEmbeddingModel(stored: string | undefined): Promise<void> {
    const model = this.embedder?.modelId;
    if (model === undefined) return;
    if (stored === undefined) {
      await this.write([setMeta(this.tables, 'embedding_model', model)]);
    } else if (stored !== model) {
      this.modelMismatch = new MemoryConfigurationError(
        'embedder',
        `the stored vectors were embedded with "${stored}" but the embedder is "${model}": configure the model the memories were embedded with, or use new tables`,
      );
    }
  }

  /**
   * Commits the queued adds as one transaction, then the ones queued meanwhile, and so on. The
   * memory rows are inserted one statement each; postings, term statistics and user counts are
   * then written by one statement each for the whole group, from the rows that were inserted (a
   * repeated idempotency key inserted none, so it changes nothing).
   */
  private async flushAdds(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_ADDS_PER_TRANSACTION);
        const now = Date.now();
        const t = this.tables;
        const ids = JSON.stringify(group.map(({ id }) => id));
        const inserted = `FROM ${t.memories} m, json_each(m.terms) j WHERE m.id IN (SELECT value FROM json_each(?1))`;
        const statements: SqlStatement[] = [];
        for (const user of new Set(group.map(({ user }) => user))) statements.push(...this.purgeIfExpired(user, now));
        const insertAt = new Map<PendingAdd, number>();
        for (const pending of group) {
          insertAt.set(pending, statements.length);
          statements.push(pending.insert);
        }
        statements.push(
          {
            sql: `INSERT INTO ${t.postings} (user_id, term, seq, tf, length) SELECT m.user_id, j.key, m.seq, j.value, m.term_count ${inserted}`,
            args: [ids],
          },
          {
            sql: `INSERT INTO ${t.termStats} (user_id, term, df) SELECT m.user_id, j.key, count(*) ${inserted} GROUP BY m.user_id, j.key
              ON CONFLICT (user_id, term) DO UPDATE SET df = df + excluded.df`,
            args: [ids],
          },
          {
            sql: `INSERT INTO ${t.users} (user_id, memory_count, term_count, expires_at)
              SELECT m.user_id, count(*), sum(m.term_count), ?2 FROM ${t.memories} m WHERE m.id IN (SELECT value FROM json_each(?1))
              GROUP BY m.user_id
              ON CONFLICT (user_id) DO UPDATE SET memory_count = memory_count + excluded.memory_count,
                term_count = ${t.users}.term_count + excluded.term_count, expires_at = excluded.expires_at`,
            args: [ids, this.ttlMs === undefined ? null : now + this.ttlMs],
          },
        );
        const idQueryAt = new Map<PendingAdd, number>();
        for (const pending of group) {
          if (pending.idQuery === undefined) continue;
          idQueryAt.set(pending, statements.length);
          statements.push(pending.idQuery);
        }
        statements.push(...this.sweepExpired());
        try {
          const results = await this.write(statements);
          for (const pending of group) {
            const at = idQueryAt.get(pending);
            const row = at === undefined ? undefined : results[at]!.rows[0];
            // Nothing inserted and no earlier add under the key: the forget fence refused it.
            const fenced = results[insertAt.get(pending)!]!.rowsAffected === 0;
            pending.resolve(row ? String(row[0]) : fenced ? '' : pending.id);
          }
        } catch (error) {
          // An add with an idempotency key is safe to repeat; one without may have been stored.
          for (const pending of group) pending.reject(forWrite(error as Error, pending.idQuery !== undefined));
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /**
   * Scores every memory holding a query term (up to the per-term cap) from the postings and the
   * user's statistics. The first read brings the statistics and each term's newest postings, at
   * most POSTINGS_PER_READ of each (MAX_SEARCH_POSTINGS in all); a broader term's further postings
   * come in reads of at most POSTINGS_PER_READ, paced by the search's budget.
   */
  private async rankLexically(user: string, queryTerms: readonly string[], budget: SearchBudget): Promise<Candidate[]> {
    if (queryTerms.length === 0) return [];
    const t = this.tables;
    const perTerm = Math.max(1, Math.min(MAX_POSTINGS_PER_TERM, Math.floor(MAX_SEARCH_POSTINGS / queryTerms.length)));
    const firstRead = Math.min(perTerm, POSTINGS_PER_READ);
    const results = await this.read([
      { sql: `SELECT memory_count, term_count, expires_at FROM ${t.users} WHERE user_id = ?1`, args: [user] },
      {
        sql: `SELECT term, df FROM ${t.termStats} WHERE user_id = ?1 AND term IN (SELECT value FROM json_each(?2))`,
        args: [user, JSON.stringify(queryTerms)],
      },
      ...queryTerms.map((term) => this.postingsRead(user, term, Number.MAX_SAFE_INTEGER, firstRead)),
    ]);
    const userRow = results[0]!.rows[0];
    if (!userRow || this.isExpired(userRow[2])) return [];
    const documentFrequencies = new Map(results[1]!.rows.map(([term, df]) => [String(term), Number(df)]));
    const stats = {
      memoryCount: Number(userRow[0]),
      totalTermCount: Number(userRow[1]),
      documentFrequency: (term: string) => documentFrequencies.get(term) ?? 0,
    };
    const termIndex = new Map(queryTerms.map((term, index) => [term, index]));
    const matches = new Map<number, { frequencies: number[]; length: number }>();
    /** Adds one read's postings of a term; returns how many it held and the oldest sequence among them. */
    const take = (index: number, joined: unknown): { count: number; oldest: number } => {
      if (joined === null || joined === undefined) return { count: 0, oldest: 0 };
      const numbers = String(joined).split(',');
      let oldest = Number.MAX_SAFE_INTEGER;
      for (let at = 0; at + 2 < numbers.length; at += 3) {
        const seq = Number(numbers[at]);
        let match = matches.get(seq);
        if (match === undefined) {
          match = { frequencies: new Array<number>(queryTerms.length).fill(0), length: Number(numbers[at + 2]) };
          matches.set(seq, match);
        }
        match.frequencies[index] = Number(numbers[at + 1]);
        oldest = Math.min(oldest, seq);
      }
      return { count: numbers.length / 3, oldest };
    };
    for (const [index, term] of queryTerms.entries()) {
      let { count, oldest } = take(index, results[index + 2]!.rows[0]?.[0]);
      let read = count;
      let wanted = firstRead;
      while (count === wanted && read < perTerm) {
        await budget.pace();
        wanted = Math.min(POSTINGS_PER_READ, perTerm - read);
        const [more] = await this.read([this.postingsRead(user, term, oldest, wanted)]);
        ({ count, oldest } = take(index, more!.rows[0]?.[0]));
        read += count;
      }
    }
    const candidates: Candidate[] = [];
    for (const [seq, { frequencies, length }] of matches) {
      const memoryTerms = { termFrequency: (term: string) => frequencies[termIndex.get(term)!] ?? 0, length };
      candidates.push({ seq, score: scoreTerms(queryTerms, memoryTerms, stats) });
      if (candidates.length % 1_000 === 0 && budget.due) await budget.pace();
    }
    return candidates;
  }

  /**
   * One row: a term's newest postings below `before`, at most `count`, joined as `seq,tf,length,...`
   * (turning thousands of rows into objects cost the client 10-40 times more than splitting one string).
   */
  private postingsRead(user: string, term: string, before: number, count: number): SqlStatement {
    return {
      sql: `SELECT group_concat(seq || ',' || tf || ',' || length, ',') FROM
        (SELECT seq, tf, length FROM ${this.tables.postings} WHERE user_id = ?1 AND term = ?2 AND seq < ?3 ORDER BY seq DESC LIMIT ?4)`,
      args: [user, term, before, count],
    };
  }

  /**
   * Exact nearest neighbours: every stored vector of the user is compared with the query's. In
   * hybrid ranking each one's cosine is combined with its lexical score (0 when it shares no term).
   */
  private async rankWithEmbedding(
    user: string,
    queryTerms: readonly string[],
    queryVector: Float32Array,
    budget: SearchBudget,
  ): Promise<Candidate[]> {
    const [[result], lexicalCandidates] = await Promise.all([
      this.read([
        {
          sql: `SELECT seq, vector FROM ${this.tables.memories} WHERE user_id = ?1 AND vector IS NOT NULL ${this.liveCondition(1, 2)}`,
          args: this.withNow([user]),
        },
      ]),
      this.ranking === 'hybrid' ? this.rankLexically(user, queryTerms, budget) : Promise.resolve([]),
    ]);
    const lexical = new Map(lexicalCandidates.map(({ seq, score }) => [seq, score]));
    return result!.rows.map(([seq, stored]) => {
      const vector = decodeVector(stored);
      if (vector.length !== queryVector.length) {
        throw new MemoryConfigurationError(
          'embedder',
          `returned ${queryVector.length} dimensions for the query but ${vector.length} for stored memories: one store needs one embedding model`,
        );
      }
      const cosine = roundScore(cosineRelevance(queryVector, vector));
      const score = this.ranking === 'hybrid' ? hybridScore(lexical.get(Number(seq)) ?? 0, cosine) : cosine;
      return { seq: Number(seq), score };
    });
  }

  /**
   * Reads the best candidates' rows in score order, a chunk at a time, keeping those the filter
   * accepts. A chunk always ends between two different scores, so once `limit` rows are kept no
   * later candidate can outrank them; ties are then ordered by the core's `compareRanked`. A chunk
   * that ties grew far past its size (many memories of one score) is first put in that order without
   * reading its rows, so they are read only until `limit` are kept. Reads hold at most ROWS_PER_READ
   * rows, and the search's budget paces them.
   */
  private async topRows(
    user: string,
    candidates: Candidate[],
    filter: FilterNode | undefined,
    limit: number,
    budget: SearchBudget,
  ): Promise<Memory[]> {
    const accepts = filter && compileFilter(filter);
    const kept: Memory[] = [];
    let start = 0;
    while (start < candidates.length && kept.length < limit) {
      const size = filter ? Math.max(limit, ROWS_PER_READ) : limit;
      let end = Math.min(candidates.length, start + size);
      while (end < candidates.length && candidates[end]!.score === candidates[end - 1]!.score) end++;
      // A chunk grown by ties well past its size is ordered, so its rows are read only until `limit`
      // are kept; a few more rows are cheaper to read than to order.
      const ordered = end - start > size + ROWS_PER_READ;
      const chunk = ordered ? await this.orderChunk(user, candidates.slice(start, end)) : candidates.slice(start, end);
      for (let at = 0; at < chunk.length && !(ordered && kept.length >= limit); at += ROWS_PER_READ) {
        await budget.pace();
        const piece = chunk.slice(at, at + ROWS_PER_READ);
        const [result] = await this.read([
          {
            sql: `SELECT ${MEMORY_COLUMNS} FROM ${this.tables.memories}
              WHERE user_id = ?1 AND seq IN (SELECT value FROM json_each(?2)) ${this.liveCondition(1, 3)}`,
            args: this.withNow([user, JSON.stringify(piece.map(({ seq }) => seq))]),
          },
        ]);
        // Rows come back in any order: an ordered chunk's are taken in its own.
        const rows = new Map(result!.rows.map((row) => decodeMemoryRow(row, user)).map((row) => [row.seq, row.memory]));
        for (const { seq, score } of piece) {
          const memory = rows.get(seq);
          if (ordered && kept.length >= limit) break;
          if (memory === undefined || (accepts && !accepts(memory))) continue;
          memory.score = score;
          kept.push(memory);
        }
      }
      start = end;
    }
    return kept.sort(compareRanked).slice(0, limit);
  }

  /** A chunk in the core's order: by score, each group of equal scores by `inRankedOrder`. */
  private async orderChunk(user: string, chunk: Candidate[]): Promise<Candidate[]> {
    const ordered: Candidate[] = [];
    for (let at = 0; at < chunk.length; ) {
      let stop = at + 1;
      while (stop < chunk.length && chunk[stop]!.score === chunk[at]!.score) stop++;
      ordered.push(...(stop - at === 1 ? [chunk[at]!] : await this.inRankedOrder(user, chunk.slice(at, stop))));
      at = stop;
    }
    return ordered;
  }

  /**
   * Tied candidates in the core's order (newer first, then id), sorted by SQLite from their times
   * and ids without reading their rows: ids are the store's own UUIDs, ASCII, so SQLite's byte order
   * is JavaScript's.
   */
  private async inRankedOrder(user: string, tied: Candidate[]): Promise<Candidate[]> {
    const [result] = await this.read([
      {
        sql: `SELECT seq FROM ${this.tables.memories} WHERE user_id = ?1 AND seq IN (SELECT value FROM json_each(?2)) ORDER BY created_at DESC, id`,
        args: [user, JSON.stringify(tied.map(({ seq }) => seq))],
      },
    ]);
    const score = tied[0]!.score;
    return result!.rows.map(([seq]) => ({ seq: Number(seq), score }));
  }


  /**
   * Statements recording a change of the memory, before it is made: at its first change its add
   * (from its row, still unchanged), then this change, timed as its new `updated_at` will be. They
   * insert nothing when the user has no such memory.
   */
  private recordVersion(
    user: string,
    id: string,
    event: 'update' | 'delete',
    now: number,
    change: { text?: string | undefined; metadata?: Metadata | undefined; reason?: string | undefined } = {},
  ): SqlStatement[] {
    const t = this.tables;
    const columns = `(user_id, memory_id, event, previous_text, text, metadata, at, reason)`;
    const memory = `FROM ${t.memories} WHERE user_id = ?1 AND id = ?2`;
    const after = event === 'delete' ? 'NULL, NULL' : 'coalesce(?5, content), coalesce(?6, metadata)';
    return [
      {
        sql: `INSERT INTO ${t.history} ${columns} SELECT user_id, id, 'add', NULL, content, metadata, created_at, NULL ${memory}
          AND NOT EXISTS (SELECT 1 FROM ${t.history} WHERE user_id = ?1 AND memory_id = ?2)`,
        args: [user, id],
      },
      {
        sql: `INSERT INTO ${t.history} ${columns}
          SELECT user_id, id, '${event}', content, ${after}, max(?3, coalesce(updated_at, created_at) + 1), ?4 ${memory}`,
        args:
          event === 'delete'
            ? [user, id, now, null]
            : [user, id, now, change.reason ?? null, change.text ?? null, change.metadata === undefined ? null : JSON.stringify(change.metadata)],
      },
    ];
  }

  /** The user's rows in every table; the `users` row last, as `purgeIfExpired` reads it. */
  private deleteUser(user: string): SqlStatement[] {
    const t = this.tables;
    return [t.postings, t.termStats, t.memories, t.history, t.users].map((table) => ({
      sql: `DELETE FROM ${table} WHERE user_id = ?1`,
      args: [user],
    }));
  }

  /** With a TTL: statements that first remove the user's rows if the user's memories have expired. */
  private purgeIfExpired(user: string, now: number): SqlStatement[] {
    if (this.ttlMs === undefined) return [];
    const expired = `EXISTS (SELECT 1 FROM ${this.tables.users} WHERE user_id = ?1 AND expires_at <= ?2)`;
    return this.deleteUser(user).map(({ sql }) => ({ sql: `${sql} AND ${expired}`, args: [user, now] }));
  }

  /** With a TTL, at most once per TTL/10: statements removing every expired user's rows. */
  private sweepExpired(): SqlStatement[] {
    const now = Date.now();
    if (this.ttlMs === undefined || now - this.lastSweep < this.ttlMs / 10) return [];
    this.lastSweep = now;
    const t = this.tables;
    const expired = `SELECT user_id FROM ${t.users} WHERE expires_at <= ?1`;
    return [t.postings, t.termStats, t.memories, t.history, t.users].map((table) => ({
      sql: `DELETE FROM ${table} WHERE user_id IN (${expired})`,
      args: [now],
    }));
  }

  /**
   * With a TTL, a condition hiding an expired user's rows: parameter `userParam` holds the user id
   * and parameter `nowParam` the time `withNow` binds after the statement's own arguments.
   */
  /** The user's rows below `before`, newest first. */
  private pageRows(user: string, before: number, count: number): SqlStatement {
    return {
      sql: `SELECT ${MEMORY_COLUMNS} FROM ${this.tables.memories}
        WHERE user_id = ?1 AND seq < ?2 ${this.liveCondition(1, 4)} ORDER BY seq DESC LIMIT ?3`,
      args: this.withNow([user, before, count]),
    };
  }

  /**
   * The rows that can hold `session` (a string sessionId equal to it, or an array of them), below
   * `before`, newest first, each half read through its index: a superset the filter then decides.
   */
  private sessionRows(user: string, session: string, before: number, count: number): SqlStatement {
    const args = this.withNow([user, before, count]);
    args.push(session);
    const t = this.tables;
    const live = this.liveCondition(1, 4);
    return {
      sql: `SELECT ${MEMORY_COLUMNS} FROM ${t.memories} WHERE user_id = ?1 AND ${SESSION_ID} = ?${args.length} AND seq < ?2 ${live}
        UNION ALL
        SELECT ${MEMORY_COLUMNS} FROM ${t.memories} WHERE user_id = ?1 AND ${SESSION_ID_TYPE} = 'array' AND seq < ?2 ${live}
        ORDER BY seq DESC LIMIT ?3`,
      args,
    };
  }

  private liveCondition(userParam: number, nowParam: number): string {
    if (this.ttlMs === undefined) return '';
    return `AND NOT EXISTS (SELECT 1 FROM ${this.tables.users} WHERE user_id = ?${userParam} AND expires_at <= ?${nowParam})`;
  }

  private withNow(args: SqlValue[]): SqlValue[] {
    return this.ttlMs === undefined ? args : [...args, Date.now()];
  }

  private isExpired(expiresAt: unknown): boolean {
    return expiresAt !== null && expiresAt !== undefined && Number(expiresAt) <= Date.now();
  }

  /** Reads are retried on transient failures (a busy file, a dropped connection): they change nothing. */
  private read(statements: SqlStatement[]): Promise<SqlResult[]> {
    return withRetry(
      () =>
        this.runner.batch(statements, 'read').catch((error: unknown) => {
          throw this.runner.toMemoryError(error);
        }),
      { policy: DEFAULT_RETRY_POLICY },
    );
  }

  /**
   * A write resolves once its transaction has committed; it is not retried here, so it is never
   * applied twice. Adds mark their failures (see `flushAdds`); deletes are harmless to repeat.
   */
  private write(statements: SqlStatement[]): Promise<SqlResult[]> {
    return this.runner.batch(statements, 'write').catch((error: unknown) => {
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
 * The sessionId a filter requires, when the session index can find it exactly: SQLite's JSON
 * functions and JavaScript agree on a string without NUL that is well-formed UTF-16.
 */
function requiredSessionId(filter: FilterNode): string | undefined {
  const session = requiredEquality(filter, 'sessionId');
  if (session === undefined || session.includes('\0') || LONE_SURROGATE.test(session)) return undefined;
  return session;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
