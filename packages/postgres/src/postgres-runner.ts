/** Runs one parameterised statement and resolves to its rows. */
export interface SqlQueryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<Row[]>;
}

/**
 * What the store needs from a PostgreSQL client. Each client (node-postgres, PGlite) implements
 * it, so the schema, statements and migrations exist once.
 */
export interface PostgresRunner {
  /** One statement; `signal` cancels it on the server where the client allows. */
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[], signal?: AbortSignal): Promise<Row[]>;
  /**
   * Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it
   * throws. A failure while the COMMIT was in flight rejects with CommitOutcomeUnknownError.
   */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Turns whatever the client threw into the core's typed error. */
  toMemoryError(error: unknown): Error;
  /** Closes what the runner created; a client passed in is left to its owner. */
  close(): Promise<void>;
}

/** The connection failed while COMMIT was in flight: the transaction may or may not have been applied. */
export class CommitOutcomeUnknownError extends Error {
  constructor(readonly cause: unknown) {
    super('the connection failed during COMMIT, so whether the write was applied is unknown');
    this.name = 'CommitOutcomeUnknownError';
  }
}
