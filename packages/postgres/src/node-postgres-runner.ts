import { MemoryConfigurationError } from '@fastagentic/memory';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { isTransientPostgresError, toProviderError } from './postgres-error.js';
import { CommitOutcomeUnknownError, type PostgresRunner, type SqlQueryable } from './postgres-runner.js';

async function loadPg(): Promise<typeof import('pg')> {
  try {
    const loaded = (await import('pg')) as typeof import('pg') & { default?: typeof import('pg') };
    return loaded.default ?? loaded;
  } catch (error) {
    throw new MemoryConfigurationError('connectionString', 'install the "pg" package to connect to PostgreSQL', {
      cause: error,
    });
  }
}

/**
 * node-postgres behind the runner interface. A pool made from a connection string is this
 * runner's to close; a `Pool` passed in is left open.
 */
export class NodePostgresRunner implements PostgresRunner {
  private pool: Pool | undefined;
  private opening: Promise<Pool> | undefined;
  private readonly config: PoolConfig | undefined;

  constructor(
    private readonly provider: string,
    source: { pool: Pool } | { config: PoolConfig },
  ) {
    if ('pool' in source) this.pool = source.pool;
    else this.config = source.config;
  }

  private getPool(): Pool | Promise<Pool> {
    if (this.pool) return this.pool;
    this.opening ??= loadPg().then((pg) => {
      const pool = new pg.Pool(this.config);
      // A pooled connection the server dropped while idle emits 'error'; the pool then discards
      // it. Without a listener Node would crash on it.
      pool.on('error', () => undefined);
      this.pool = pool;
      return pool;
    });
    return this.opening;
  }

  async query<Row>(text: string, params: readonly unknown[] = [], signal?: AbortSignal): Promise<Row[]> {
    const pool = await this.getPool();
    if (!signal) return (await pool.query(text, params as unknown[])).rows as Row[];
    signal.throwIfAborted();
    const client = await pool.connect();
    let broken: Error | undefined;
    const onError = (error: Error) => (broken = error);
    client.on('error', onError);
    try {
      return await this.cancellable(pool, client, signal, () => client.query(text, params as unknown[])).then(
        (result) => result.rows as Row[],
      );
    } catch (error) {
      if (isTransientPostgresError(error)) broken = error as Error;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const pool = await this.getPool();
    const client = await pool.connect();
    const tx: SqlQueryable = {
      query: async <Row>(text: string, params: readonly unknown[] = []) =>
        (await this.cancellable(pool, client, signal, () => client.query(text, params as unknown[]))).rows as Row[],
    };
    let broken: Error | undefined;
    // A checked-out connection the server drops emits 'error' on the client; the pool only
    // listens while it is idle, so without this the process would crash.
    const onError = (error: Error) => (broken ??= error);
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await work(tx);
      } catch (error) {
        if (isTransientPostgresError(error)) broken = error as Error;
        else await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      }
      try {
        await client.query('COMMIT');
      } catch (error) {
        broken = error as Error;
        if (isTransientPostgresError(error)) throw new CommitOutcomeUnknownError(error);
        throw error;
      }
      return result;
    } catch (error) {
      if (!broken && isTransientPostgresError(error)) broken = error as Error;
      throw error;
    } finally {
      // A connection that failed is destroyed rather than handed to the next caller.
      client.off('error', onError);
      client.release(broken);
    }
  }

  /**
   * Runs one statement on `client`; an abort asks the server to cancel it (pg_cancel_backend from
   * another pooled connection), and the call rejects with the signal's reason.
   */
  private async cancellable<R>(pool: Pool, client: PoolClient, signal: AbortSignal | undefined, run: () => Promise<R>): Promise<R> {
    if (!signal) return run();
    signal.throwIfAborted();
    const processId = (client as PoolClient & { processID?: number }).processID;
    const onAbort = () => {
      if (processId !== undefined) void pool.query('SELECT pg_cancel_backend($1)', [processId]).catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await run();
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  toMemoryError(error: unknown): Error {
    return toProviderError(this.provider, error);
  }

  async close(): Promise<void> {
    if (this.config === undefined) return;
    const pool = this.pool ?? (this.opening ? await this.opening : undefined);
    await pool?.end();
  }
}
