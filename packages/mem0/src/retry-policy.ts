import { MemoryConfigurationError } from '@fastagentic/memory';

export interface RetryOptions {
  /** Retries after the first attempt for HTTP 429, 5xx, network errors and timeouts. Default 3. */
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

function nonNegative(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new MemoryConfigurationError(option, 'must be a finite number >= 0');
  }
  return value;
}

export function parseRetryPolicy(options: RetryOptions | undefined): RetryPolicy {
  const maxRetries = nonNegative(options?.maxRetries, 'retry.maxRetries', 3);
  if (!Number.isInteger(maxRetries)) throw new MemoryConfigurationError('retry.maxRetries', 'must be an integer');
  return {
    maxRetries,
    baseDelayMs: nonNegative(options?.baseDelayMs, 'retry.baseDelayMs', 250),
    maxDelayMs: nonNegative(options?.maxDelayMs, 'retry.maxDelayMs', 10_000),
  };
}

/** Full-jitter exponential backoff: a random wait up to base * 2^attempt, capped. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or undefined when absent or unreadable. */
export function parseRetryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

