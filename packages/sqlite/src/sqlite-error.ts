import { MemoryConfigurationError, MemoryError, ProviderUnavailableError } from '@fastagentic/memory';

// SQLite result codes after which the same statements can succeed: another connection held a
// lock longer than the busy timeout.
const RETRYABLE_CODE = /^SQLITE_(BUSY|LOCKED)/;
const RETRYABLE_MESSAGE = /SQLITE_(BUSY|LOCKED)|database is locked|network connection lost|overloaded|timed? ?out|ECONNRESET|ECONNREFUSED|fetch failed/i;

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
 * locked) or the server refused it before running it (429, 503). Anything else (a dropped
 * connection, a timeout, a 500) may have committed.
 */
export function writeNotApplied(error: ProviderUnavailableError): boolean {
  const cause = error.cause as { code?: unknown; status?: unknown } | undefined;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return RETRYABLE_CODE.test(code) || /SQLITE_(BUSY|LOCKED)|database is locked/i.test(error.message) || error.statusCode === 429 || error.statusCode === 503;
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
