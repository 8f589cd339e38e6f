import { describe, expect, it } from 'vitest';
import { MemoryConfigurationError, MemoryNotFoundError, ProviderUnavailableError } from '../spec/memory-error.js';
import { errorFromHttpStatus, errorFromNetworkFailure, isNotSentFailure } from './http-errors.js';

describe('errorFromHttpStatus: the one HTTP mapping', () => {
  it('401 and 403 name the apiKey option', () => {
    for (const status of [401, 403]) {
      const error = errorFromHttpStatus('svc', 'search', status);
      expect(MemoryConfigurationError.isInstance(error)).toBe(true);
      expect((error as MemoryConfigurationError).option).toBe('apiKey');
    }
  });

  it('404 of one id is MemoryNotFoundError; without an id it is a non-retryable failure', () => {
    const notFound = errorFromHttpStatus('svc', 'get', 404, { memoryId: 'm1' });
    expect(MemoryNotFoundError.isInstance(notFound) && notFound.memoryId).toBe('m1');
    const other = errorFromHttpStatus('svc', 'add', 404);
    expect(ProviderUnavailableError.isInstance(other) && other.isRetryable).toBe(false);
  });

  it('408, 429 and 5xx are retryable with statusCode and retryAfterMs; other 4xx are not', () => {
    for (const status of [408, 429, 500, 502, 503, 504]) {
      const error = errorFromHttpStatus('svc', 'search', status, { retryAfterMs: 1500, cause: 'raw' }) as ProviderUnavailableError;
      expect([status, error.isRetryable, error.statusCode, error.retryAfterMs, error.cause]).toEqual([status, true, status, 1500, 'raw']);
    }
    for (const status of [400, 409, 422]) {
      expect((errorFromHttpStatus('svc', 'search', status) as ProviderUnavailableError).isRetryable).toBe(false);
    }
  });

  it('a write the service may have applied is retryable only after 429 and 503', () => {
    const retryable = (status: number) =>
      (errorFromHttpStatus('svc', 'add', status, { unsafeWrite: true }) as ProviderUnavailableError).isRetryable;
    expect([408, 429, 500, 502, 503, 504].map(retryable)).toEqual([false, true, false, false, true, false]);
  });

  it('a network failure is retryable unless it is an unsafe write', () => {
    expect(errorFromNetworkFailure('svc', 'search', new TypeError('fetch failed')).isRetryable).toBe(true);
    expect(errorFromNetworkFailure('svc', 'add', new TypeError('fetch failed'), { unsafeWrite: true }).isRetryable).toBe(false);
  });

  it('a write never sent (connection refused) stays retryable; a timeout names timeoutMs', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(isNotSentFailure(refused)).toBe(true);
    expect(errorFromNetworkFailure('svc', 'add', refused, { unsafeWrite: true }).isRetryable).toBe(true);
    const timedOut = errorFromNetworkFailure('svc', 'add', refused, { unsafeWrite: true, timedOutAfterMs: 50 });
    expect([timedOut.isRetryable, timedOut.message.includes('timed out after 50 ms (timeoutMs)')]).toEqual([false, true]);
  });
});
