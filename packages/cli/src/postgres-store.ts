import pg from 'pg';
import { PostgresProvider } from '@fastagentic/postgres';
import type { OpenedStore, StoreScope } from './opened-store.js';
import type { StoreLocation } from './store-location.js';
import { encryptedAsServers, type StoreOptions } from './store-options.js';

/** Adds in flight at once: each is one transaction on a pooled connection. */
const POSTGRES_WRITE_CONCURRENCY = 8;
const USERS_PER_READ = 1_000;

/** PostgreSQL long-term memory; the servers keep session memory elsewhere (Redis or libSQL). */
export function openPostgresStore(location: StoreLocation, options: StoreOptions): OpenedStore {
  const pool = new pg.Pool({ connectionString: location.url, max: 10, application_name: 'fastagentic-memory-cli' });
  // Errors of idle connections reach the calls that use the pool next; unhandled they would end the process.
  pool.on('error', () => undefined);
  const raw = new PostgresProvider({ pool, schema: location.schema, tablePrefix: location.tablePrefix });
  // The schema and prefix are checked by PostgresProvider (lower-case identifiers) before any SQL below uses them.
  const table = (suffix: string) => `"${location.schema}"."${location.tablePrefix}${suffix}"`;
  const scope: StoreScope = {
    name: 'memory',
    provider: encryptedAsServers(raw, 'memory', options),
    listUsers: () => postgresUsers(pool, table('users')),
    countMemories: async () => {
      const { rows } = await pool.query<{ count: string }>(`SELECT coalesce(sum(memory_count), 0) AS count FROM ${table('users')}`);
      return Number(rows[0]!.count);
    },
    reindex: () => raw.reindexTerms(),
  };
  return {
    kind: 'postgres',
    description: `PostgreSQL ${location.display} ("${location.schema}"."${location.tablePrefix}*")`,
    idempotentImport: true,
    writeConcurrency: POSTGRES_WRITE_CONCURRENCY,
    addsInOrder: false,
    existingScopes: async () => {
      const { rows } = await pool.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table('users')]);
      return rows[0]!.found === null ? [] : [scope];
    },
    scope: (name) => (name === 'memory' ? scope : undefined),
    storageBytes: async () => {
      const names = ['users', 'memories', 'postings', 'term_stats'].map(table);
      const { rows } = await pool.query<{ bytes: string }>(
        'SELECT coalesce(sum(pg_total_relation_size(to_regclass(name))), 0) AS bytes FROM unnest($1::text[]) AS name',
        [names],
      );
      return Number(rows[0]!.bytes);
    },
    backup: async () => ({
      written: false,
      detail: `pg_dump --format=custom --schema='${location.schema}' --table='${location.schema}.${location.tablePrefix}*' --file=memory.dump "$DATABASE_URL"`,
    }),
    close: async () => {
      await raw.close();
      await pool.end();
    },
  };
}

async function* postgresUsers(pool: pg.Pool, users: string): AsyncGenerator<string> {
  let after = '';
  for (;;) {
    const { rows } = await pool.query<{ user_id: string }>(
      `SELECT user_id FROM ${users} WHERE user_id > $1 AND memory_count > 0 ORDER BY user_id COLLATE "C" LIMIT $2`,
      [after, USERS_PER_READ],
    );
    for (const row of rows) yield row.user_id;
    if (rows.length < USERS_PER_READ) return;
    after = rows[rows.length - 1]!.user_id;
  }
}
