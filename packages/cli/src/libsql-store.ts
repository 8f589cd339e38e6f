import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { LibsqlProvider } from '@fastagentic/sqlite';
import type { OpenedStore, ScopeName, StoreScope } from './opened-store.js';
import type { StoreLocation } from './store-location.js';
import { encryptedAsServers, sessionTtlFrom, type StoreOptions } from './store-options.js';

/** Adds a libSQL store commits together (SqliteMemoryProvider batches up to 500 waiting adds per transaction). */
const LIBSQL_BATCH = 500;
const USERS_PER_READ = 1_000;

/** The file a `file:` URL names; undefined for a remote database. */
export function libsqlFilePath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  const withoutQuery = url.split('?')[0]!;
  return resolve(withoutQuery.startsWith('file://') ? fileURLToPath(withoutQuery) : withoutQuery.slice('file:'.length));
}

/**
 * A libSQL database (a file, or libSQL/Turso over the network) with the servers' two table sets:
 * long-term memory (`memory_*`) and session memory (`session_*`, with the session TTL).
 */
export async function openLibsqlStore(location: StoreLocation, options: StoreOptions): Promise<OpenedStore> {
  const file = libsqlFilePath(location.url);
  if (file !== undefined) {
    if (options.mode === 'read' && !existsSync(file)) throw new MemoryConfigurationError(options.option, `no libSQL file at ${file}`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  }
  const client = createClient({ url: location.url, authToken: options.env.LIBSQL_AUTH_TOKEN, timeout: 5_000 });
  try {
    // As LibsqlProvider does for a file it opens: readers go on while this process writes.
    if (file !== undefined) await client.execute('PRAGMA journal_mode = WAL');
    const open = (name: ScopeName, tablePrefix: string, ttlSeconds?: number) => {
      const raw = new LibsqlProvider({ client, tablePrefix, ttlSeconds });
      const scope: StoreScope = {
        name,
        provider: encryptedAsServers(raw, name, options),
        listUsers: () => libsqlUsers(client, `${tablePrefix}users`),
        countMemories: async () => {
          const result = await client.execute(`SELECT coalesce(sum(memory_count), 0) FROM ${tablePrefix}users`);
          return Number(result.rows[0]![0]);
        },
        reindex: async () => {
          await raw.reindexTerms();
          return (await scope.countMemories()) ?? 0;
        },
      };
      return { scope, tablePrefix };
    };
    // The prefixes are checked by LibsqlProvider (letters, digits, _) before any SQL below uses them.
    const scopes = [open('memory', location.tablePrefix), open('session', location.sessionTablePrefix, sessionTtlFrom(options.env))];
    const tableExists = async (name: string) =>
      (await client.execute({ sql: `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`, args: [name] })).rows.length > 0;
    return {
      kind: 'libsql',
      description: file === undefined ? `libSQL at ${location.display}` : `libSQL file ${file}`,
      idempotentImport: true,
      writeConcurrency: LIBSQL_BATCH,
    addsInOrder: !options.encryptionKey,
      existingScopes: async () => {
        const present: StoreScope[] = [];
        for (const { scope, tablePrefix } of scopes) if (await tableExists(`${tablePrefix}users`)) present.push(scope);
        return present;
      },
      scope: (name) => scopes.find(({ scope }) => scope.name === name)?.scope,
      storageBytes: async () => {
        const [pages, size] = await client.batch(['PRAGMA page_count', 'PRAGMA page_size'], 'read');
        return Number(pages!.rows[0]![0]) * Number(size!.rows[0]![0]);
      },
      backup: async (destination) => {
        if (file === undefined) {
          return { written: false, detail: `a remote libSQL database is backed up by its host (Turso: \`turso db shell <db> .dump\`)` };
        }
        if (!destination) throw new MemoryConfigurationError('--output', 'name the file to write the backup to');
        const target = resolve(destination);
        if (existsSync(target)) throw new MemoryConfigurationError('--output', `${target} exists already; choose a new file`);
        // Moves the write-ahead log into the file, then writes a consistent, compacted copy.
        await client.execute('PRAGMA wal_checkpoint(TRUNCATE)');
        await client.execute({ sql: 'VACUUM INTO ?', args: [target] });
        return { written: true, detail: target, bytes: statSync(target).size };
      },
      // The providers were handed the client, so closing it closes them.
      close: async () => client.close(),
    };
  } catch (error) {
    client.close();
    throw error;
  }
}

async function* libsqlUsers(client: Client, table: string): AsyncGenerator<string> {
  let after = '';
  for (;;) {
    const result = await client.execute({ sql: `SELECT user_id FROM ${table} WHERE user_id > ? ORDER BY user_id LIMIT ?`, args: [after, USERS_PER_READ] });
    for (const row of result.rows) yield String(row[0]);
    if (result.rows.length < USERS_PER_READ) return;
    after = String(result.rows[result.rows.length - 1]![0]);
  }
}
