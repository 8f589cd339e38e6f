import type { Client, InStatement } from '@libsql/client';
import type { SqlResult, SqlRunner, SqlStatement } from './sql-runner.js';
import { needsNewConnection, toSqliteMemoryError } from './sqlite-error.js';

/**
 * Runs the store's batches on a @libsql/client `Client`: a local file (`file:`) or a remote
 * libSQL/Turso database over HTTP (`@libsql/client/web` too). Each batch is one `client.batch`,
 * which commits before it resolves.
 */
export class LibsqlRunner implements SqlRunner {
  private client: Promise<Client> | undefined;

  /**
   * @param connect Gives the client, once, at the first batch.
   * @param ownsClient Whether `close` closes the client.
   * @param beforeClose Runs on the client just before `close` closes it (a WAL checkpoint).
   */
  constructor(
    private readonly connect: () => Promise<Client>,
    private readonly provider: string,
    private readonly ownsClient: boolean,
    private readonly beforeClose?: (client: Client) => Promise<unknown>,
  ) {}

  async batch(statements: SqlStatement[], mode: 'read' | 'write'): Promise<SqlResult[]> {
    const connecting = this.clientOnce();
    const client = await connecting;
    let results;
    try {
      results = await client.batch(statements as InStatement[], mode);
    } catch (error) {
      // Read-only since it was opened (the file or folder was not writable then): the next batch
      // opens the file again, so fixing the permissions is enough, without a restart.
      if (this.ownsClient && needsNewConnection(error) && this.client === connecting) {
        this.client = undefined;
        client.close();
      }
      throw error;
    }
    return results.map((result) => ({
      rows: result.rows.map((row) => Array.prototype.slice.call(row) as unknown[]),
      rowsAffected: result.rowsAffected,
    }));
  }

  toMemoryError(error: unknown): Error {
    return toSqliteMemoryError(this.provider, error);
  }

  async close(): Promise<void> {
    if (!this.ownsClient || !this.client) return;
    const client = await this.client.catch(() => undefined);
    if (!client) return;
    // Closing goes ahead whatever the last statement says: the data is committed either way.
    await this.beforeClose?.(client).catch(() => undefined);
    client.close();
  }

  private clientOnce(): Promise<Client> {
    this.client ??= this.connect().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }
}
