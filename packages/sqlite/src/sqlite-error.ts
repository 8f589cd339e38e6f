import { MemoryConfigurationError, MemoryError, ProviderUnavailableError } from '@fastagentic/memory';

// SQLite result codes after which the same statements can succeed: another connection held a
// lock longer than the busy timeout, the disk was full, the file or file system was read-only (a
// WAL database there cannot even be opened: CANTOPEN), or an I/O error. An operator frees space
// or fixes permissions: it clears without a code change.
const RETRYABLE_CODE = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)/;
const RETRYABLE_MESSAGE =
  /SQLITE_(BUSY|LOCKED|FULL|READONLY|IOERR|CANTOPEN)|database is locked|disk is full|readonly database|disk I\/O error|unable to open database file|network connection lost|overloaded|timed? ?out|ECONNRESET|ECONNREFUSED|fetch failed/i;
// Refused before anything changed: the transaction rolled back (a lock never taken, no space, no write access).
const NOT_APPLIED_CODE = /^SQLITE_(BUSY|LOCKED|FULL|READONLY|CANTOPEN)/;
const NOT_APPLIED_MESSAGE = /SQLITE_(BUSY|LOCKED|FULL|READONLY|CANTOPEN)|database is locked|disk is full|readonly database|unable to open database file/i;

/** A connection that could not write when it was opened stays read-only: the runner opens a new one. */
export function needsNewConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^SQLITE_(READONLY|CANTOPEN)/.test(code);
}

/** Whatever a SQLite-dialect client threw, as the core's typed error. */
export function toSqliteMemoryError(provider: string, error: unknown): Error {
  if (MemoryError.isInstance(error)) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  // @libsql/client wraps an HTTP failure (HttpServerError, with the status) in a LibsqlError.
  const failure = error as { status?: unknown; cause?: { status?: unknown } } | undefined;
  const status = failure?.status ?? failure?.cause?.status;
  const message = error instanceof Error ? error.message : String(error);
  if (status === 401 || status === 403) {
    return new MemoryConfigurationError('authToken', `the database refused the credentials (HTTP ${status})`, { cause: error });
  }
  const httpRetryable = typeof status === 'number' && (status === 408 || status === 429 || status >= 500);
  const isRetryable = RETRYABLE_CODE.test(code) || httpRetryable || RETRYABLE_MESSAGE.test(message);
  return new ProviderUnavailableError(provider, message, {
    isRetryable,
    statusCode: typeof status === 'number' ? status : undefined,
    cause: error,
  });
}

/**
 * Whether a failed write is known not to have been applied: the lock was never taken (busy,
 * locked), there was no space or write access (full, read-only), or the server refused it before
 * running it (429, 503). Anything else (a dropped connection, a timeout, an I/O error, a 500) may
 * have committed.
 */
export function writeNotApplied(error: ProviderUnavailableError): boolean {
  const cause = error.cause as { code?: unknown; status?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return NOT_APPLIED_CODE.test(code) || NOT_APPLIED_MESSAGE.test(error.message) || error.statusCode === 429 || error.statusCode === 503;
}

/** A write that may have committed is not offered for a retry unless repeating it is harmless. */
export function forWrite(error: Error, repeatable: boolean): Error {
  if (!ProviderUnavailableError.isInstance(error) || !error.isRetryable || repeatable || writeNotApplied(error)) return error;
  return new ProviderUnavailableError(error.provider, `${error.message.replace(/^Provider "[^"]*" failed: /, '')} (the write may have been applied)`, {
    isRetryable: false,
    statusCode: error.statusCode,
    cause: error.cause,
  });
}
