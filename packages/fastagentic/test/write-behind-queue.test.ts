import { InMemoryProvider, MemoryValidationError, ProviderUnavailableError, type MemoryProvider } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { WriteBehindQueue, type WriteQueueLogEvent } from '../src/write-behind-queue.js';

/**
 * A real in-memory store behind a switch: while `down`, every add fails as an adapter reports an
 * outage; with `storeThenFail`, the add lands and the answer is lost (a timeout after the write).
 */
function switchableStore() {
  const inner = new InMemoryProvider();
  const state = { down: false, storeThenFail: false, attempts: 0 };
  const provider: MemoryProvider = {
    specificationVersion: 'v1',
    provider: 'switchable',
    capabilities: inner.capabilities,
    add: async (...args) => {
      state.attempts++;
      if (state.down) throw new ProviderUnavailableError('switchable', 'connection refused', { isRetryable: true });
      const id = await inner.add(...args);
      if (state.storeThenFail) {
        state.storeThenFail = false;
        throw new ProviderUnavailableError('switchable', 'timed out', { isRetryable: true });
      }
      return id;
    },
    search: (...args) => inner.search(...args),
    getAll: (...args) => inner.getAll(...args),
    get: (...args) => inner.get(...args),
    delete: (...args) => inner.delete(...args),
    deleteAll: (...args) => inner.deleteAll(...args),
  };
  return { provider, inner, state };
}

const fast = { baseDelayMs: 5, maxDelayMs: 20 };
const texts = async (store: InMemoryProvider, userId: string) =>
  (await store.getAll(userId)).memories.map((memory) => memory.memory).reverse();

describe('WriteBehindQueue', () => {
  it('keeps every write through an outage and stores them in order per user, once each', async () => {
    const { provider, inner, state } = switchableStore();
    const events: WriteQueueLogEvent[] = [];
    const queue = new WriteBehindQueue({ backoff: fast, onEvent: (event) => events.push(event) });
    state.down = true;
    for (let i = 0; i < 20; i++) {
      void queue.enqueue({ store: 'memory', userId: `u${i % 2}`, provider, messages: [{ role: 'user', content: `fact ${i}` }] });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(queue.depth).toBe(20);
    state.down = false;
    await queue.drain();
    expect(queue.depth).toBe(0);
    expect(await texts(inner, 'u0')).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18].map((i) => `fact ${i}`));
    expect(await texts(inner, 'u1')).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19].map((i) => `fact ${i}`));
    expect(events.some((event) => event.kind === 'retrying')).toBe(true);
  });

  it('retries a write whose outcome is unknown with the same idempotency key, so it is stored once', async () => {
    const { provider, inner, state } = switchableStore();
    const queue = new WriteBehindQueue({ backoff: fast });
    state.storeThenFail = true;
    await queue.enqueue({ store: 'memory', userId: 'u', provider, messages: [{ role: 'user', content: 'my PIN is 4321' }] }).stored;
    expect(state.attempts).toBe(2);
    expect(await texts(inner, 'u')).toEqual(['my PIN is 4321']);
  });

  it('refuses a new write when full in count or bytes, says it is not remembered, and keeps every earlier promise', async () => {
    const { provider, inner, state } = switchableStore();
    const events: WriteQueueLogEvent[] = [];
    const recorded: string[] = [];
    const queue = new WriteBehindQueue({
      maxQueued: 3,
      maxQueuedBytes: 400,
      backoff: fast,
      onEvent: (event) => events.push(event),
      record: (event) => recorded.push(event.kind),
    });
    state.down = true;
    const write = (content: string) => queue.enqueue({ store: 'memory', userId: 'u0', provider, messages: [{ role: 'user', content }] });
    const remembered = [];
    for (let i = 0; i < 5; i++) remembered.push(await write(`w${i}`).remembered);
    expect(remembered).toEqual([true, true, true, false, false]);
    expect(queue.dropped).toBe(2);
    expect(events.filter((event) => event.kind === 'dropped')).toHaveLength(2);
    expect(recorded.filter((kind) => kind === 'dropped')).toHaveLength(2);
    state.down = false;
    await queue.drain();
    expect(await texts(inner, 'u0')).toEqual(['w0', 'w1', 'w2']);
    // 400 bytes hold one 300-character message, not two.
    state.down = true;
    expect(await write('x'.repeat(300)).remembered).toBe(true);
    expect(queue.bytes).toBeGreaterThan(300);
    expect(await write('y'.repeat(300)).remembered).toBe(false);
    state.down = false;
    await queue.drain();
    expect(queue.bytes).toBe(0);
  });

  it('forget removes the user’s queued writes and stops retrying, other users keep theirs', async () => {
    const { provider, inner, state } = switchableStore();
    const queue = new WriteBehindQueue({ backoff: fast });
    state.down = true;
    for (let i = 0; i < 3; i++) {
      void queue.enqueue({ store: 'memory', userId: 'gone', provider, messages: [{ role: 'user', content: `secret ${i}` }] });
      void queue.enqueue({ store: 'memory', userId: 'kept', provider, messages: [{ role: 'user', content: `fact ${i}` }] });
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await queue.forget('gone')).toBe(3);
    state.down = false;
    await queue.drain();
    expect(await texts(inner, 'gone')).toEqual([]);
    expect(await texts(inner, 'kept')).toEqual(['fact 0', 'fact 1', 'fact 2']);
  });

  it('gives up on a write the store refuses for good, and says so', async () => {
    const inner = new InMemoryProvider();
    const events: WriteQueueLogEvent[] = [];
    const queue = new WriteBehindQueue({ backoff: fast, onEvent: (event) => events.push(event) });
    await queue.enqueue({ store: 'memory', userId: 'u', provider: inner, messages: [{ role: 'user', content: 'x'.repeat(40_000) }] }).stored;
    expect(events).toEqual([expect.objectContaining({ kind: 'failed', error: expect.any(MemoryValidationError) })]);
    expect(queue.depth).toBe(0);
  });
});
