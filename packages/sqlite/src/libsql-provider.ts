import { MemoryConfigurationError } from '@fastagentic/memory';
import type { Client } from '@libsql/client';
import { LibsqlRunner } from './libsql-runner.js';
import { SqliteMemoryProvider, type SqliteMemoryOptions } from './sqlite-memory-provider.js';

export interface LibsqlProviderOptions extends SqliteMemoryOptions {
  /**
   * `file:./memory.db` (Node), or `libsql://`, `https://`, `http://` for a remote libSQL or Turso
   * database. The provider then creates (and `close` closes) its own client.
   */
  url?: string;
  /** Token for a remote database. */
  authToken?: string;
  /** A client you created yourself (`@libsql/client` or `@libsql/client/web`); `close` leaves it open. */
  client?: Client;
  /** How long a write waits for another process's lock on a local file. Default 5000 ms. */
  busyTimeoutMs?: number;
}

const URL_SCHEME = /^(file|libsql|https?|wss?):/;

/**
 * Memory in a libSQL database through @libsql/client: a local file on Node (WAL mode, a busy
 * timeout so several processes can share it), or libSQL/Turso over HTTP on Node and Workers.
 */
export class LibsqlProvider extends SqliteMemoryProvider {
  constructor(options: LibsqlProviderOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new MemoryConfigurationError('url', 'pass exactly one of url and client');
    }
    const { url, client, authToken } = options;
    if (url !== undefined && (typeof url !== 'string' || !URL_SCHEME.test(url))) {
      throw new MemoryConfigurationError('url', 'expected a file:, libsql:, https: or http: URL');
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
    const connect = client
      ? () => Promise.resolve(client)
      : async () => {
          const created = (await importLibsql()).createClient({ url: url!, authToken, timeout: busyTimeoutMs });
          // WAL lets readers go on while one process writes; it is a property of the file, kept once set.
          if (url!.startsWith('file:')) await created.execute('PRAGMA journal_mode = WAL');
          return created;
        };
    // The client closes without moving the WAL into the file: after a clean stop the file alone
    // would hold no tables. A TRUNCATE checkpoint makes it complete and empties the WAL.
    const checkpoint = url?.startsWith('file:') ? (opened: Client) => opened.execute('PRAGMA wal_checkpoint(TRUNCATE)') : undefined;
    super('libsql', new LibsqlRunner(connect, 'libsql', client === undefined, checkpoint), options);
  }
}

async function importLibsql(): Promise<typeof import('@libsql/client')> {
  try {
    return await import('@libsql/client');
  } catch (error) {
    throw new MemoryConfigurationError('url', 'install @libsql/client to use LibsqlProvider with a url', { cause: error });
  }
}
