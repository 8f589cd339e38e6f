import type { SqlResult, SqlRunner, SqlStatement } from './sql-runner.js';
import { toSqliteMemoryError } from './sqlite-error.js';

/** The part of a Cloudflare D1 binding the store uses (structurally; no Workers types needed). */
export interface D1DatabaseBinding {
  prepare(sql: string): D1PreparedStatementLike;
  batch(statements: D1PreparedStatementLike[]): Promise<Array<{ results?: unknown[]; meta?: { changes?: number } }>>;
}

export interface D1PreparedStatementLike {
  bind(...values: unknown[]): D1PreparedStatementLike;
}

/** Runs the store's batches on a D1 binding: `db.batch` is one transaction, committed when it resolves. */
export class D1Runner implements SqlRunner {
  constructor(private readonly db: D1DatabaseBinding) {}

  async batch(statements: SqlStatement[]): Promise<SqlResult[]> {
    const prepared = statements.map(({ sql, args }) => this.db.prepare(sql).bind(...args));
    const results = await this.db.batch(prepared);
    return results.map((result) => ({
      // D1 gives rows as objects in column order; the store's column names are unique per statement.
      rows: (result.results ?? []).map((row) => Object.values(row as Record<string, unknown>)),
      rowsAffected: result.meta?.changes ?? 0,
    }));
  }

  toMemoryError(error: unknown): Error {
    return toSqliteMemoryError('d1', error);
  }

  async close(): Promise<void> {
    // The binding belongs to the Worker.
  }
}
