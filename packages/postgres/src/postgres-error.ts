import { MemoryError, ProviderUnavailableError } from '@fastagentic/memory';

// SQLSTATEs after which the same call can succeed: connection exceptions (class 08), the server
// shutting down or starting (57P01-57P03), too many connections or out of resources (53xxx),
// serialization failures and deadlocks (40001, 40P01), lock timeouts (55P03) and statement
// timeouts (57014).
const RETRYABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53000', '53100', '53200', '53300', '53400', '40001', '40P01', '55P03', '57014']);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

// Messages node-postgres uses when a connection drops or cannot be had.
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Client was closed and is not queryable',
  'Cannot use a pool after calling end',
];

export function isMemoryError(error: unknown): error is MemoryError {
  return MemoryError.isInstance(error);
}

/** Is this an error after which the same call may succeed (connection lost, server busy, timeout)? */
export function isTransientPostgresError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08P01 is a protocol violation (a bug, not a lost connection).
    if (code.length === 5 && ((code.startsWith('08') && code !== '08P01') || RETRYABLE_SQLSTATES.has(code))) return true;
    if (CONNECTION_CODES.has(code)) return true;
  }
  return CONNECTION_MESSAGES.some((message) => error.message.includes(message));
}

/** Any client error as a typed provider error, retryable when the failure is transient. */
export function toProviderError(provider: string, error: unknown): Error {
  if (isMemoryError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  const detail = typeof code === 'string' ? `${message} (${code})` : message;
  return new ProviderUnavailableError(provider, `PostgreSQL failed: ${detail}`, {
    isRetryable: isTransientPostgresError(error),
    cause: error,
  });
}
