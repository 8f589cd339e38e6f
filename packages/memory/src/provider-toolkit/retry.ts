import { MemoryConfigurationError, ProviderUnavailableError } from '../spec/memory-error.js';
import { delay } from './delay.js';

export interface RetryOptions {
  /** Retries after the first attempt. Default 3. */
  maxRetries?: number;
  /** First backoff step; each retry doubles it, with full jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest single wait, also the most of a Retry-After that is honoured before giving up. Default 10 s. */
  maxDelayMs?: number;
}

export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The one set of defaults every adapter uses, so providers retry alike. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 3,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
});

function nonNegative(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new MemoryConfigurationError(option, 'must be a finite number >= 0');
  }
  return value;
}

/** Validates retry options (errors name `<optionName>.<field>`) and fills in the defaults. */
export function parseRetryPolicy(options: RetryOptions | undefined, optionName = 'retry'): RetryPolicy {
  const maxRetries = nonNegative(options?.maxRetries, `${optionName}.maxRetries`, DEFAULT_RETRY_POLICY.maxRetries);
  if (!Number.isInteger(maxRetries)) throw new MemoryConfigurationError(`${optionName}.maxRetries`, 'must be an integer');
  return {
    maxRetries,
    baseDelayMs: nonNegative(options?.baseDelayMs, `${optionName}.baseDelayMs`, DEFAULT_RETRY_POLICY.baseDelayMs),
    maxDelayMs: nonNegative(options?.maxDelayMs, `${optionName}.maxDelayMs`, DEFAULT_RETRY_POLICY.maxDelayMs),
  };
}

/** Full-jitter exponential backoff: a random wait up to base * 2^attempt, capped. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface WithRetryOptions {
  policy: RetryPolicy;
  signal?: AbortSignal | undefined;
  /**
   * Whether a failure may be retried. Defaults to the core's typed errors: a
   * ProviderUnavailableError with `isRetryable`. Adapters that see raw client errors pass their
   * own (a write that may already have landed is retried only when the service said it did not).
   */
  isRetryable?: (error: unknown) => boolean;
  /** The service's Retry-After for a failure; defaults to a ProviderUnavailableError's `retryAfterMs`. */
  retryAfterMs?: (error: unknown) => number | undefined;
}

function defaultIsRetryable(error: unknown): boolean {
  return ProviderUnavailableError.isInstance(error) && error.isRetryable;
}

function defaultRetryAfterMs(error: unknown): number | undefined {
  return ProviderUnavailableError.isInstance(error) ? error.retryAfterMs : undefined;
}

/**
 * Runs `attempt` with bounded retries: full-jitter exponential backoff, honouring a Retry-After
 * up to `maxDelayMs` (a longer one is not waited for: the failure is thrown so the caller can
 * come back later). An abort stops at once with the signal's reason; a failure that may not be
 * retried, or the last one, is thrown as it is.
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, options: WithRetryOptions): Promise<T> {
  const { policy, signal } = options;
  const isRetryable = options.isRetryable ?? defaultIsRetryable;
  const retryAfterOf = options.retryAfterMs ?? defaultRetryAfterMs;
  for (let attemptNumber = 0; ; attemptNumber++) {
    signal?.throwIfAborted();
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (attemptNumber >= policy.maxRetries || !isRetryable(error)) throw error;
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined && retryAfter > policy.maxDelayMs) throw error;
      await delay(retryAfter ?? backoffDelayMs(policy, attemptNumber), signal);
    }
  }
}
