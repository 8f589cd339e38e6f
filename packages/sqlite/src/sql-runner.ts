/** A value bound to a statement: integers that fit are numbers, BLOBs are bytes. */
export type SqlValue = string | number | null | Uint8Array;

export interface SqlStatement {
  sql: string;
  args: SqlValue[];
}

/** One statement's outcome: its rows as arrays of column values, and how many rows it changed. */
export interface SqlResult {
  rows: unknown[][];
  rowsAffected: number;
}

/**
 * What the store needs from a SQLite-dialect client. Each client (@libsql/client for files and
 * HTTP, a D1 binding) implements it, so schema, statements and encoding exist once.
 */
export interface SqlRunner {
  /**
   * Runs the statements in order as one transaction (all or nothing) and resolves once it has
   * committed. `read` batches may run on a read-only snapshot.
   */
  batch(statements: SqlStatement[], mode: 'read' | 'write'): Promise<SqlResult[]>;
  /** Turns whatever the client threw into the core's typed error. */
  toMemoryError(error: unknown): Error;
  /** Releases a client the runner created; a client passed in is left to its owner. */
  close(): Promise<void>;
}
