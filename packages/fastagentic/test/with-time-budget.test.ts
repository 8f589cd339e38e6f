import { InMemoryProvider, ProviderUnavailableError, type MemoryProvider } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { withTimeBudget } from '../src/with-time-budget.js';

/** A backend whose reads answer after `delayMs`, or reject with the signal's reason when it aborts; it keeps the signals it saw. */
function lateProvider(inner: MemoryProvider, delayMs: number) {
  const signals: AbortSignal[] = [];
  const wait = (signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (signal) signals.push(signal);
      const timer = setTimeout(resolve, delayMs);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  const provider: MemoryProvider = {
    specificationVersion: 'v1',
    provider: 'late',
    capabilities: inner.capabilities,
    add: (...args) => inner.add(...args),
    search: async (userId, query, options) => {
      await wait(options?.signal);
      return inner.search(userId, query, options);
    },
    getAll: async (userId, options) => {
      await wait(options?.signal);
      return inner.getAll(userId, options);
    },
    get: (...args) => inner.get(...args),
    delete: (...args) => inner.delete(...args),
    deleteAll: (...args) => inner.deleteAll(...args),
  };
  return { provider, signals };
}

async function rejection(promise: Promise<unknown>): Promise<{ error: unknown; at: number }> {
  try {
    await promise;
  } catch (error) {
    return { error, at: performance.now() };
  }
  throw new Error('expected a rejection');
}

function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
}

describe('withTimeBudget', () => {
  it('aborts a read past the budget and rejects with a retryable ProviderUnavailableError', async () => {
    const { provider, signals } = lateProvider(new InMemoryProvider(), 5_000);
    const budgeted = withTimeBudget(provider, 50);
    const started = performance.now();
    const { error, at } = await rejection(budgeted.search('u1', 'tea'));
    expect(at - started).toBeGreaterThanOrEqual(49);
    expect(at - started).toBeLessThan(1_000);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(true);
    expect((error as Error).message).toContain('no answer within 50 ms');
    expect(signals[0]!.aborted).toBe(true);
    expect(ProviderUnavailableError.isInstance(signals[0]!.reason)).toBe(true);
  });

  it('answers a read within the budget and leaves no timer behind', async () => {
    const inner = new InMemoryProvider();
    await inner.add('u1', [{ role: 'user', content: 'I like tea' }]);
    const { provider, signals } = lateProvider(inner, 5);
    const budgeted = withTimeBudget(provider, 10_000);
    const timersBefore = pendingTimers();
    const [found, page] = await Promise.all([budgeted.search('u1', 'tea'), budgeted.getAll('u1')]);
    expect(found.map((memory) => memory.memory)).toEqual(['I like tea']);
    expect(page.memories).toHaveLength(1);
    expect(signals.every((signal) => !signal.aborted)).toBe(true);
    // At most as many as before: a timer of an earlier test may end meanwhile, but neither budget timer stays.
    expect(pendingTimers()).toBeLessThanOrEqual(timersBefore);
  });

  it("honours the caller's signal", async () => {
    const { provider, signals } = lateProvider(new InMemoryProvider(), 5_000);
    const budgeted = withTimeBudget(provider, 10_000);
    const caller = new AbortController();
    const read = budgeted.getAll('u1', { signal: caller.signal });
    const reason = new Error('the client went away');
    caller.abort(reason);
    const { error } = await rejection(read);
    expect(error).toBe(reason);
    expect(signals[0]!.aborted).toBe(true);
  });

  it("a caller's abort cuts short its own read only", async () => {
    const inner = new InMemoryProvider();
    await inner.add('u1', [{ role: 'user', content: 'I like tea' }]);
    const { provider } = lateProvider(inner, 30);
    const budgeted = withTimeBudget(provider, 10_000);
    const caller = new AbortController();
    const cancelled = budgeted.search('u1', 'tea', { signal: caller.signal });
    const other = budgeted.search('u1', 'tea');
    caller.abort();
    await expect(cancelled).rejects.toThrow();
    expect(await other).toHaveLength(1);
  });

  it('reads at the same time: one past the budget is cut short, one within it answers', async () => {
    const inner = new InMemoryProvider();
    await inner.add('u1', [{ role: 'user', content: 'I like tea' }]);
    const quick = withTimeBudget(lateProvider(inner, 5).provider, 60);
    const { provider: lateOne } = lateProvider(inner, 5_000);
    const slow = withTimeBudget(lateOne, 60);
    const [answered, cut] = await Promise.allSettled([quick.search('u1', 'tea'), slow.getAll('u1')]);
    expect(answered.status).toBe('fulfilled');
    expect(cut.status).toBe('rejected');
  });

  it('every read gets a full budget of its own', async () => {
    const inner = new InMemoryProvider();
    const budgeted = withTimeBudget(lateProvider(inner, 5_000).provider, 50);
    await rejection(budgeted.search('u1', 'tea'));
    const started = performance.now();
    const { error, at } = await rejection(budgeted.search('u1', 'tea'));
    expect(at - started).toBeGreaterThanOrEqual(49);
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
  });
});
