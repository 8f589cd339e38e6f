import { MemoryConfigurationError, MemoryError, ProviderUnavailableError } from '@fastagentic/memory';

// SQLite result codes after which the same statements can succeed: another connection held a
// lock longer than the busy timeout.
const RETRYABLE_CODE = /^SQLITE_(BUSY|LOCKED)/;
const RETRYABLE_MESSAGE = /SQLITE_(BUSY|LOCKED)|database is locked|network connection lost|overloaded|timed? ?out|ECONNRESET|ECONNREFUSED|fetch failed/i;

/** Whatever a SQLite-dialect client threw, as the core's typed error. */
export function toSqliteMemoryError(provider: string, error: unknown): Error {
  if (MemoryError.isInstance(error)) return error;
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const status = (error as { status?: unknown })?.status;
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
