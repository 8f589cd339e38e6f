import { MemoryError, ProviderUnavailableError } from '@fastagentic/memory';

// Redis reply error codes after which the same call can succeed: the server is starting,
// busy, failing over, resharding, short of memory until keys expire, or refusing writes
// because it cannot persist to its disk (MISCONF: cleared once there is space).
const RETRYABLE_REPLY_CODES = new Set([
  'LOADING',
  'BUSY',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'MOVED',
  'ASK',
  'READONLY',
  'MASTERDOWN',
  'NOREPLICAS',
  'OOM',
  'MISCONF',
]);

/** The error code a Redis reply error starts with, e.g. `WRONGTYPE` or `NOSCRIPT`. */
export function replyErrorCode(message: string): string {
  return /^[A-Z]+/.exec(message)?.[0] ?? '';
}

export function isNoScriptError(error: unknown): boolean {
  return error instanceof Error && error.message.includes('NOSCRIPT');
}

/** A Redis reply error (the server answered with `-CODE message`) as a typed provider error. */
export function replyError(provider: string, message: string, cause: unknown): ProviderUnavailableError {
  const code = replyErrorCode(message);
  return new ProviderUnavailableError(provider, `Redis replied ${message}`, {
    isRetryable: RETRYABLE_REPLY_CODES.has(code),
    cause,
  });
}

/** The server could not be reached or did not answer in time: trying again later may work. */
export function connectionError(provider: string, message: string, cause: unknown): ProviderUnavailableError {
  return new ProviderUnavailableError(provider, `Redis is unreachable: ${message}`, { isRetryable: true, cause });
}

export function isMemoryError(error: unknown): error is MemoryError {
  return MemoryError.isInstance(error);
}

/** Anything else the client threw: not known to be transient, so not retried. */
export function unexpectedError(provider: string, message: string, cause: unknown): ProviderUnavailableError {
  return new ProviderUnavailableError(provider, message, { isRetryable: false, cause });
}
