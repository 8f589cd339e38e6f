import { MemoryConfigurationError } from '@fastagentic/memory';
import type { SqlStatement } from './sql-runner.js';

/** The store's table names, each the prefix plus a fixed suffix. */
export interface SqliteTables {
  /** Key/value rows: the schema version and the terms version of the index. */
  meta: string;
  /** One row per memory; `seq` (the rowid) orders a user's memories. */
  memories: string;
  /** Per user: memory count, total term count, expiry; scoring and TTL read it. */
  users: string;
  /** (user, term, memory) → term frequency and the memory's term count: the search index. */
  postings: string;
  /** (user, term) → in how many of the user's memories the term occurs. */
  termStats: string;
  /** A memory's versions once it has changed (its add, then each update and the delete), by user. */
  history: string;
  /** Per user: when `deleteAll` last ran (ms), the forget fence; kept after the user's rows are gone. */
  forgets: string;
}

const PREFIX = /^[A-Za-z_][A-Za-z0-9_]{0,40}$/;

export function tablesFor(prefix: string): SqliteTables {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new MemoryConfigurationError('tablePrefix', 'letters, digits and _ only, starting with a letter or _, at most 41 characters');
  }
  return {
    meta: `${prefix}meta`,
    memories: `${prefix}memories`,
    users: `${prefix}users`,
    postings: `${prefix}postings`,
    termStats: `${prefix}term_stats`,
    history: `${prefix}history`,
    forgets: `${prefix}forgets`,
  };
}

/** The expressions the session indexes are built on; queries must spell them the same way to use them. */
export const SESSION_ID = `json_extract(metadata, '$.sessionId')`;
export const SESSION_ID_TYPE = `json_type(metadata, '$.sessionId')`;

/**
 * Migrations in order; migration `i` brings the schema to version `i + 1`. Only ever append:
 * a migration never drops or rewrites user data.
 */
export function migrations(t: SqliteTables): string[][] {
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${t.memories} (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        user_id TEXT NOT NULL,
        content TEXT NOT NULL,
        metadata TEXT NOT NULL,
        categories TEXT,
        created_at INTEGER NOT NULL,
        term_count INTEGER NOT NULL,
        terms TEXT NOT NULL,
        idempotency_key TEXT,
        vector BLOB
      )`,
      `CREATE INDEX IF NOT EXISTS ${t.memories}_by_user ON ${t.memories} (user_id, seq)`,
      `CREATE UNIQUE INDEX IF NOT EXISTS ${t.memories}_by_key ON ${t.memories} (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${t.users} (
        user_id TEXT PRIMARY KEY,
        memory_count INTEGER NOT NULL,
        term_count INTEGER NOT NULL,
        expires_at INTEGER
      ) WITHOUT ROWID`,
      `CREATE INDEX IF NOT EXISTS ${t.users}_by_expiry ON ${t.users} (expires_at) WHERE expires_at IS NOT NULL`,
      `CREATE TABLE IF NOT EXISTS ${t.postings} (
        user_id TEXT NOT NULL,
        term TEXT NOT NULL,
        seq INTEGER NOT NULL,
        tf INTEGER NOT NULL,
        length INTEGER NOT NULL,
        PRIMARY KEY (user_id, term, seq)
      ) WITHOUT ROWID`,
      `CREATE TABLE IF NOT EXISTS ${t.termStats} (
        user_id TEXT NOT NULL,
        term TEXT NOT NULL,
        df INTEGER NOT NULL,
        PRIMARY KEY (user_id, term)
      ) WITHOUT ROWID`,
    ],
    // Memories whose terms were supplied by the caller (`indexTerms`): a re-index keeps them as given.
    [`ALTER TABLE ${t.memories} ADD COLUMN supplied_terms INTEGER NOT NULL DEFAULT 0`],
    // A session's memories by index (`getAll` filtered on sessionId), however many others the user
    // has: string sessionIds by value, the rare array of them apart (eq means "contains" there).
    [
      `CREATE INDEX IF NOT EXISTS ${t.memories}_by_session ON ${t.memories} (user_id, ${SESSION_ID}, seq)`,
      `CREATE INDEX IF NOT EXISTS ${t.memories}_session_lists ON ${t.memories} (user_id, seq) WHERE ${SESSION_ID_TYPE} = 'array'`,
    ],
    // `update` and `history`: a memory's time of its latest change (NULL until it changes), and its
    // versions, written at its first change (an unchanged memory's only version is its row).
    [
      `ALTER TABLE ${t.memories} ADD COLUMN updated_at INTEGER`,
      `CREATE TABLE IF NOT EXISTS ${t.history} (
        seq INTEGER PRIMARY KEY,
        user_id TEXT NOT NULL,
        memory_id TEXT NOT NULL,
        event TEXT NOT NULL,
        previous_text TEXT,
        text TEXT,
        metadata TEXT,
        at INTEGER NOT NULL,
        reason TEXT
      )`,
      `CREATE INDEX IF NOT EXISTS ${t.history}_by_memory ON ${t.history} (user_id, memory_id, seq)`,
    ],
    // The forget fence: an add promised before the user's last deleteAll inserts nothing.
    [`CREATE TABLE IF NOT EXISTS ${t.forgets} (user_id TEXT PRIMARY KEY, forgotten_at INTEGER NOT NULL) WITHOUT ROWID`],
  ];
}

export const SCHEMA_VERSION = 5;

export function createMetaTable(t: SqliteTables): SqlStatement {
  return { sql: `CREATE TABLE IF NOT EXISTS ${t.meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`, args: [] };
}

export function setMeta(t: SqliteTables, key: string, value: string): SqlStatement {
  return {
    sql: `INSERT INTO ${t.meta} (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    args: [key, value],
  };
}
