import { MemoryError, ProviderUnavailableError } from '@fastagentic/memory';
import { errorFromHttpStatus, errorFromNetworkFailure, parseRetryAfterMs, type RetryOptions } from '@fastagentic/memory/provider';
import { ZepError, ZepTimeoutError } from '@getzep/zep-cloud';

export const PROVIDER_NAME = 'zep';

/** @deprecated Use `RetryOptions` from `@fastagentic/memory/provider`: every adapter takes the same. */
export type ZepRetryOptions = RetryOptions;

/** Request options for every SDK call: the SDK's own retries are off, the adapter retries (`withRetry`). */
export interface SdkRequestOptions {
  maxRetries: 0;
  timeoutInSeconds: number;
  abortSignal?: AbortSignal;
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ZepError ? error.statusCode : undefined;
}

function detailOf(error: ZepError): string {
  const body = error.body as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : error.message;
}

/** Zep's answer about a user or thread it does not know (or just forgot): 404, or 400 "... not found". */
export function isNotFound(error: unknown): boolean {
  const status = statusOf(error);
  return status === 404 || (status === 400 && /not found/i.test(detailOf(error as ZepError)));
}

/** Zep's answer to creating a user or thread that exists: 409, or 400 "... already exists". */
export function isAlreadyExists(error: unknown): boolean {
  const status = statusOf(error);
  return status === 409 || (status === 400 && /exist/i.test(detailOf(error as ZepError)));
}

/**
 * A failed SDK call as the core's typed error, by the mapping every HTTP adapter shares
 * (`errorFromHttpStatus`). `unsafeWrite`: the call may have been applied (an add), so only the
 * statuses by which Zep says it was not (429, 503) leave it retryable.
 */
export function toMemoryError(error: unknown, operation: string, unsafeWrite: boolean): MemoryError {
  if (MemoryError.isInstance(error)) return error;
  if (error instanceof ZepTimeoutError || (error instanceof ZepError && error.statusCode === undefined)) {
    return errorFromNetworkFailure(PROVIDER_NAME, operation, error, { unsafeWrite });
  }
  if (error instanceof ZepError && error.statusCode !== undefined) {
    const header = error.rawResponse?.headers?.get?.('retry-after');
    return errorFromHttpStatus(PROVIDER_NAME, operation, error.statusCode, {
      cause: error,
      retryAfterMs: parseRetryAfterMs(header),
      unsafeWrite,
      detail: detailOf(error),
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderUnavailableError(PROVIDER_NAME, `${operation}: ${message}`, { cause: error, isRetryable: false });
}
