import type { PGliteInterface, Transaction } from '@electric-sql/pglite';
import { toProviderError } from './postgres-error.js';
import type { PostgresRunner, SqlQueryable } from './postgres-runner.js';

/**
 * PGlite (PostgreSQL compiled to WASM, in this process) behind the runner interface. PGlite runs
 * one statement at a time on one connection and cannot interrupt a running statement, so an
 * AbortSignal is honoured between statements.
 */
export class PGliteRunner implements PostgresRunner {
  constructor(
    private readonly provider: string,
    private readonly db: PGliteInterface | Promise<PGliteInterface>,
    private readonly ownsDb: boolean,
  ) {}

  async query<Row>(text: string, params: readonly unknown[] = [], signal?: AbortSignal): Promise<Row[]> {
    signal?.throwIfAborted();
    const db = await this.db;
    return (await db.query<Row>(text, params as unknown[])).rows;
  }

  async transaction<T>(work: (tx: SqlQueryable) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const db = await this.db;
    return db.transaction(async (transaction: Transaction) =>
      work({
        query: async <Row>(text: string, params: readonly unknown[] = []) => {
          signal?.throwIfAborted();
          return (await transaction.query<Row>(text, params as unknown[])).rows;
        },
      }),
    );
  }

  toMemoryError(error: unknown): Error {
    return toProviderError(this.provider, error);
  }

  async close(): Promise<void> {
    if (this.ownsDb) await (await this.db).close();
  }
}
