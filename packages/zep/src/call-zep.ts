import { MemoryConfigurationError, ProviderUnavailableError } from '@fastagentic/memory';
import { delay } from '@fastagentic/memory/provider';
import { ZepError, ZepTimeoutError } from '@getzep/zep-cloud';

export const PROVIDER_NAME = 'zep';

export interface ZepRetryOptions {
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** First backoff delay; it doubles each retry, with jitter. Default 200 ms. */
  baseDelayMs?: number;
  /** Longest single wait, also the cap on a server's Retry-After. Default 2000 ms. */
  maxDelayMs?: number;
}

export interface ResolvedRetry {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ZepCall {
  /** Writes that a 500 may already have applied are retried on 429 and 503 only. */
  idempotent: boolean;
  signal: AbortSignal | undefined;
}

/** Request options for every SDK call: the SDK's own retries are off, the adapter retries. */
export interface SdkRequestOptions {
  maxRetries: 0;
  timeoutInSeconds: number;
  abortSignal?: AbortSignal;
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ZepError ? error.statusCode : undefined;
}

function retryAfterMs(error: unknown): number | undefined {
  if (!(error instanceof ZepError)) return undefined;
  const header = error.rawResponse?.headers?.get?.('retry-after');
  if (header === null || header === undefined) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (error instanceof ZepTimeoutError) return idempotent;
  const status = statusOf(error);
  // No status: the request failed on the network, so a write may or may not have landed.
  if (status === undefined) return idempotent && error instanceof ZepError;
  if (status === 429 || status === 503) return true;
  return idempotent && (status === 408 || status >= 500);
}

function messageOf(error: unknown): string {
  if (error instanceof ZepError) {
    const body = error.body as { message?: unknown } | undefined;
    const detail = typeof body?.message === 'string' ? body.message : error.message;
    return error.statusCode === undefined ? detail : `HTTP ${error.statusCode}: ${detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Maps a failed SDK call to the core's typed errors. 404s are handled by each operation. */
export function toMemoryError(error: unknown, operation: string): Error {
  const status = statusOf(error);
  if (status === 401 || status === 403) {
    return new MemoryConfigurationError('apiKey', `Zep rejected the API key (${operation}: HTTP ${status})`, {
      cause: error,
    });
  }
  const retryAfter = retryAfterMs(error);
  return new ProviderUnavailableError(PROVIDER_NAME, `${operation}: ${messageOf(error)}`, {
    cause: error,
    isRetryable: status === undefined || status === 408 || status === 429 || status >= 500,
    ...(status === undefined ? {} : { statusCode: status }),
    ...(retryAfter === undefined ? {} : { retryAfterMs: retryAfter }),
  });
}

/**
 * Runs one SDK call with bounded retries: exponential backoff with jitter, honouring
 * Retry-After up to `maxDelayMs`. Aborts and non-retryable failures are thrown at once.
 * Returns the raw failure (not yet mapped) so callers can treat a 404 as an answer.
 */
export async function withRetries<T>(run: () => Promise<T>, retry: ResolvedRetry, call: ZepCall): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    call.signal?.throwIfAborted();
    try {
      return await run();
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason;
      if (attempt >= retry.maxRetries || !isRetryable(error, call.idempotent)) throw error;
      const backoff = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** attempt) * (0.8 + Math.random() * 0.4);
      await delay(Math.min(retry.maxDelayMs, retryAfterMs(error) ?? backoff), call.signal);
    }
  }
}
