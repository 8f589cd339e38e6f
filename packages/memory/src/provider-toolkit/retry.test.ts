import { describe, expect, it } from 'vitest';
import { MemoryConfigurationError, ProviderUnavailableError } from '../spec/memory-error.js';
import { parseRetryAfterMs, parseRetryPolicy, withRetry } from './retry.js';

const fast = { maxRetries: 3, baseDelayMs: 1, maxDelayMs: 50 };

function unavailable(isRetryable: boolean, retryAfterMs?: number): ProviderUnavailableError {
  return new ProviderUnavailableError('test', 'down', { isRetryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
}

describe('withRetry', () => {
  it('retries retryable failures until one succeeds', async () => {
    const seen: number[] = [];
    const result = await withRetry(
      async (n) => {
        seen.push(n);
        if (n < 2) throw unavailable(true);
        return 'ok';
      },
      { policy: fast },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('throws a non-retryable failure at once', async () => {
    let calls = 0;
    const failure = unavailable(false);
    await expect(
      withRetry(async () => {
        calls++;
        throw failure;
      }, { policy: fast }),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('gives up after maxRetries with the last failure', async () => {
    let calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw unavailable(true);
      }, { policy: fast }),
    ).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(calls).toBe(4);
  });

  it('waits the Retry-After it is given, and refuses one longer than maxDelayMs', async () => {
    const started = Date.now();
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ === 0) throw unavailable(true, 40);
        return 'ok';
      },
      { policy: { ...fast, baseDelayMs: 0 } },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw unavailable(true, 60_000);
      }, { policy: fast }),
    ).rejects.toMatchObject({ retryAfterMs: 60_000 });
    expect(calls).toBe(1);
  });

  it('stops with the abort reason while waiting', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    const pending = withRetry(
      async () => {
        throw unavailable(true);
      },
      { policy: { maxRetries: 5, baseDelayMs: 10_000, maxDelayMs: 10_000 }, signal: controller.signal },
    );
    setTimeout(() => controller.abort(reason), 10);
    await expect(pending).rejects.toBe(reason);
  });

  it('uses the caller’s retry decision for raw client errors', async () => {
    let calls = 0;
    await withRetry(
      async () => {
        if (calls++ < 2) throw new TypeError('fetch failed');
        return 'ok';
      },
      { policy: fast, isRetryable: (error) => error instanceof TypeError },
    );
    expect(calls).toBe(3);
  });
});

describe('parseRetryPolicy and parseRetryAfterMs', () => {
  it('fills defaults and names the bad option', () => {
    expect(parseRetryPolicy(undefined)).toEqual({ maxRetries: 3, baseDelayMs: 250, maxDelayMs: 10_000 });
    expect(() => parseRetryPolicy({ maxRetries: 1.5 }, 'retry')).toThrow(MemoryConfigurationError);
    expect(() => parseRetryPolicy({ baseDelayMs: -1 }, 'options.retry')).toThrow(/options\.retry\.baseDelayMs/);
  });

  it('reads delta-seconds and HTTP dates', () => {
    expect(parseRetryAfterMs('2')).toBe(2000);
    expect(parseRetryAfterMs(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfterMs('soon')).toBeUndefined();
    expect(parseRetryAfterMs(null)).toBeUndefined();
  });
});
