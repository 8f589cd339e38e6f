import { MemoryConfigurationError } from '@fastagentic/memory';
import type { SqlQueryable } from './postgres-runner.js';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Quoted, schema-qualified names of the store's tables. */
export interface TableNames {
  schema: string;
  prefix: string;
  migrations: string;
  users: string;
  memories: string;
  postings: string;
  termStats: string;
  /** A memory's versions once it has changed (its add, then each update and the delete). */
  history: string;
  /** Per user: when `deleteAll` last ran (ms), the forget fence; kept after the user's rows are gone. */
  forgets: string;
  memorySeq: string;
  /** Unquoted name of the HNSW index, for `CREATE INDEX IF NOT EXISTS`. */
  hnswIndex: string;
  /** Unquoted names of the session indexes: a sessionId's rows by value, and rows holding a list of them. */
  sessionIndex: string;
  sessionListIndex: string;
}

/** The expressions the session indexes are built on; queries must spell them the same way to use them. */
export const SESSION_ID = `(m.metadata ->> 'sessionId')`;
export const SESSION_ID_IS_LIST = `jsonb_typeof(m.metadata -> 'sessionId') = 'array'`;

export function tableNames(schema: string, prefix: string): TableNames {
  if (!IDENTIFIER.test(schema) || schema.length > 40) {
    throw new MemoryConfigurationError('schema', 'use lower-case letters, digits and _ (at most 40), starting with a letter or _');
  }
  if (prefix !== '' && (!IDENTIFIER.test(prefix) || prefix.length > 20)) {
    throw new MemoryConfigurationError('tablePrefix', 'use lower-case letters, digits and _ (at most 20), starting with a letter or _');
  }
  const name = (table: string) => `"${schema}"."${prefix}${table}"`;
  return {
    schema,
    prefix,
    migrations: name('migrations'),
    users: name('users'),
    memories: name('memories'),
    postings: name('postings'),
    termStats: name('term_stats'),
    history: name('history'),
    forgets: name('forgets'),
    memorySeq: name('memory_seq'),
    hnswIndex: `${prefix}memories_embedding_hnsw`,
    sessionIndex: `${prefix}memories_by_session`,
    sessionListIndex: `${prefix}memories_session_lists`,
  };
}

export interface SchemaOptions {
  /** Hash partitions by user_id for each table, when the tables are created. */
  partitions?: number | undefined;
}

/** Tables partitioned by user when `partitions` is set: the clause and the partitions to create. */
function partitioned(table: string, options: SchemaOptions): { clause: string; partitions: string[] } {
  const count = options.partitions;
  if (count === undefined) return { clause: '', partitions: [] };
  const unquoted = table.slice(0, -1);
  const partitions = Array.from(
    { length: count },
    (_, remainder) =>
      `CREATE TABLE ${unquoted}_p${remainder}" PARTITION OF ${table} FOR VALUES WITH (MODULUS ${count}, REMAINDER ${remainder})`,
  );
  return { clause: ' PARTITION BY HASH (user_id)', partitions };
}

/**
 * The migrations, in order. Each one only adds: none drops or rewrites user data. Every table's
 * key and every index start with user_id, so each statement reads one user's rows, hash
 * partitions split by user, and a distributed PostgreSQL (Citus) can use user_id as the
 * distribution column unchanged.
 */
function migrations(names: TableNames, options: SchemaOptions): string[][] {
  const table = (name: string, body: string) => {
    const { clause, partitions } = partitioned(name, options);
    return [`CREATE TABLE ${name} (${body})${clause}`, ...partitions];
  };
  return [
    [
      `CREATE SEQUENCE ${names.memorySeq}`,
      ...table(
        names.users,
        `user_id text NOT NULL, memory_count integer NOT NULL DEFAULT 0, total_term_count bigint NOT NULL DEFAULT 0,
         terms_version text NOT NULL, expires_at timestamptz, PRIMARY KEY (user_id)`,
      ),
      ...table(
        names.memories,
        `user_id text NOT NULL, id text NOT NULL, seq bigint NOT NULL DEFAULT nextval('${names.memorySeq}'),
         content text NOT NULL, metadata jsonb NOT NULL, categories jsonb, term_count integer NOT NULL,
         idempotency_key text, embedding bytea, created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
         PRIMARY KEY (user_id, id), UNIQUE (user_id, seq), UNIQUE (user_id, idempotency_key)`,
      ),
      ...table(
        names.postings,
        // The memory's length rides along (INCLUDE), so scoring reads the index alone.
        `user_id text NOT NULL, term text NOT NULL, memory_seq bigint NOT NULL, tf integer NOT NULL, length integer NOT NULL,
         PRIMARY KEY (user_id, term, memory_seq) INCLUDE (tf, length)`,
      ),
      ...table(names.termStats, `user_id text NOT NULL, term text NOT NULL, df integer NOT NULL, PRIMARY KEY (user_id, term)`),
    ],
    // The embedder's model id recorded with each vector, so vectors of another model are never compared.
    [`ALTER TABLE ${names.memories} ADD COLUMN IF NOT EXISTS embedding_model text`],
    // The caller's supplied terms (`indexTerms`), so a re-index rebuilds them as given.
    [`ALTER TABLE ${names.memories} ADD COLUMN IF NOT EXISTS supplied_terms jsonb`],
    // A session's memories by index (`getAll` filtered on sessionId), however many others the user
    // has: string sessionIds by value, the rare array of them apart (eq means "contains" there).
    [
      `CREATE INDEX IF NOT EXISTS "${names.sessionIndex}" ON ${names.memories} (user_id, (metadata ->> 'sessionId'), seq)`,
      `CREATE INDEX IF NOT EXISTS "${names.sessionListIndex}" ON ${names.memories} (user_id, seq) WHERE jsonb_typeof(metadata -> 'sessionId') = 'array'`,
    ],
    // `update` and `history`: a memory's time of its latest change (NULL until it changes), and its
    // versions, written at its first change (an unchanged memory's only version is its row).
    [
      `ALTER TABLE ${names.memories} ADD COLUMN IF NOT EXISTS updated_at timestamptz`,
      ...table(
        names.history,
        `user_id text NOT NULL, memory_id text NOT NULL, seq bigint NOT NULL DEFAULT nextval('${names.memorySeq}'),
         event text NOT NULL, previous_text text, text text, metadata jsonb, at timestamptz NOT NULL, reason text,
         PRIMARY KEY (user_id, memory_id, seq)`,
      ),
    ],
    // The forget fence: an add promised before the user's last deleteAll stores nothing. One small
    // row per forgotten user, so not partitioned.
    [`CREATE TABLE IF NOT EXISTS ${names.forgets} (user_id text NOT NULL PRIMARY KEY, forgotten_at bigint NOT NULL)`],
  ];
}

/** The newest schema version this code writes. */
export const SCHEMA_VERSION = 6;

/**
 * Brings the schema up to SCHEMA_VERSION in one transaction, under an advisory lock so that
 * processes starting together migrate once. Applied versions are recorded in the migrations table.
 */
export async function migrate(tx: SqlQueryable, names: TableNames, options: SchemaOptions): Promise<number> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`fastagentic-memory:${names.schema}.${names.prefix}`]);
  await tx.query(`CREATE SCHEMA IF NOT EXISTS "${names.schema}"`);
  await tx.query(
    `CREATE TABLE IF NOT EXISTS ${names.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
  );
  const [row] = await tx.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${names.migrations}`);
  const current = row?.version ?? 0;
  if (current > SCHEMA_VERSION) {
    throw new MemoryConfigurationError(
      'schema',
      `the tables are at schema version ${current}, newer than this package (${SCHEMA_VERSION}): upgrade @fastagentic/postgres`,
    );
  }
  const steps = migrations(names, options);
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    for (const statement of steps[version - 1]!) await tx.query(statement);
    await tx.query(`INSERT INTO ${names.migrations} (version) VALUES ($1)`, [version]);
  }
  return SCHEMA_VERSION;
}
