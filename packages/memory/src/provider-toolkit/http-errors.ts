import {
  MemoryConfigurationError,
  MemoryNotFoundError,
  ProviderUnavailableError,
  type MemoryError,
} from '../spec/memory-error.js';

export interface HttpErrorOptions {
  /** The failure as the client reported it; kept as `cause`. */
  cause?: unknown;
  /** The service's Retry-After, e.g. from `parseRetryAfterMs(response.headers.get('retry-after'))`. */
  retryAfterMs?: number | undefined;
  /** The memory a get or delete of one id asked for: a 404 then becomes MemoryNotFoundError. */
  memoryId?: string;
  /**
   * The call is a write the service may have applied before failing (no idempotency key it
   * honours). A 408 or 5xx other than 503 is then not retryable: retrying could store it twice.
   */
  unsafeWrite?: boolean;
  /** The service's own words (an error body), added to the message. */
  detail?: string;
}

/** Statuses after which a read may simply be tried again. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Statuses by which the service says it did not apply the request, so even a write may be retried. */
export function isNotAppliedStatus(status: number): boolean {
  return status === 429 || status === 503;
}

/**
 * The one mapping of HTTP failures every HTTP adapter uses (see CONTRIBUTING.md):
 * 401/403 → MemoryConfigurationError('apiKey'); 404 → MemoryNotFoundError when `memoryId` is
 * given (a list or search of an unknown user is an empty answer: the adapter handles that before
 * calling this); 408, 429, 5xx → retryable ProviderUnavailableError with `statusCode` and
 * `retryAfterMs` (not retryable for an `unsafeWrite`, except 429 and 503); anything else →
 * ProviderUnavailableError that is not retryable.
 */
export function errorFromHttpStatus(
  provider: string,
  operation: string,
  status: number,
  options: HttpErrorOptions = {},
): MemoryError {
  const detail = options.detail === undefined || options.detail === '' ? '' : `: ${options.detail}`;
  const cause = options.cause === undefined ? {} : { cause: options.cause };
  if (status === 401 || status === 403) {
    return new MemoryConfigurationError('apiKey', `${provider} rejected the credentials (${operation}: HTTP ${status})${detail}`, cause);
  }
  if (status === 404 && options.memoryId !== undefined) return new MemoryNotFoundError(options.memoryId, cause);
  const retryable = options.unsafeWrite ? isNotAppliedStatus(status) : isRetryableStatus(status);
  return new ProviderUnavailableError(provider, `${operation}: HTTP ${status}${detail}`, {
    ...cause,
    isRetryable: retryable,
    statusCode: status,
    ...(options.retryAfterMs === undefined ? {} : { retryAfterMs: options.retryAfterMs }),
  });
}

// Failures of the connection before any byte was sent: a write there was certainly not applied.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

/** Whether a failed `fetch` never reached the service (connection refused, unknown host): even a write may then be retried. */
export function isNotSentFailure(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && NOT_SENT_CODES.has(code);
}

/**
 * A request that got no HTTP answer (connection refused, reset, timeout). Retryable, unless it is
 * an `unsafeWrite` that may have reached the service before the connection broke (a request that
 * was never sent, see `isNotSentFailure`, stays retryable). `timedOutAfterMs` says the client's
 * own timeout ended it, and the message names the `timeoutMs` option.
 */
export function errorFromNetworkFailure(
  provider: string,
  operation: string,
  cause: unknown,
  options: { unsafeWrite?: boolean; timedOutAfterMs?: number } = {},
): ProviderUnavailableError {
  const timedOut = options.timedOutAfterMs !== undefined;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const message = timedOut
    ? `${operation}: timed out after ${options.timedOutAfterMs} ms (timeoutMs)`
    : `${operation}: no answer from the service (${reason})`;
  return new ProviderUnavailableError(provider, message, {
    cause,
    isRetryable: options.unsafeWrite !== true || (!timedOut && isNotSentFailure(cause)),
  });
}
