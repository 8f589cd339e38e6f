import { injectMemory, InMemoryProvider, ProviderUnavailableError, type MemoryProvider } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { InMemoryOutboxJournal, type OutboxJournal } from '../src/outbox-journal.js';
import { post, recordingLogger, SECRET, tokenFor, UnreachableProvider } from './helpers.js';

/** A real in-memory store whose writes (and, with `deletesDown`, erasures) fail as an adapter reports an outage while `down`. */
function switchableStore() {
  const inner = new InMemoryProvider();
  const state = { down: false, deletesDown: false };
  const outage = () => new ProviderUnavailableError('switchable', 'SQLITE_FULL: database or disk is full', { isRetryable: true });
  const provider: MemoryProvider = {
    specificationVersion: 'v1',
    provider: 'switchable',
    capabilities: inner.capabilities,
    add: async (...args) => {
      if (state.down) throw outage();
      return inner.add(...args);
    },
    search: (...args) => inner.search(...args),
    getAll: (...args) => inner.getAll(...args),
    get: (...args) => inner.get(...args),
    delete: (...args) => inner.delete(...args),
    deleteAll: async (...args) => {
      if (state.deletesDown) throw outage();
      return inner.deleteAll(...args);
    },
  };
  return { provider, inner, state };
}

const fast = { baseDelayMs: 5, maxDelayMs: 20 };

function appOn(memory: MemoryProvider, writeQueue: ConstructorParameters<typeof App>[0]['writeQueue'] = {}) {
  const { logger, lines } = recordingLogger();
  // The exchange itself is queued (no formation), so each chat is one promised write.
  const app = new App({ title: 't', memory, auth: { secret: SECRET }, logger, formation: false, writeQueue: { backoff: fast, ...writeQueue } });
  app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable() });
  return { app, lines };
}

const texts = async (store: MemoryProvider, userId: string) =>
  (await store.getAll(userId, { limit: 100 })).memories.map((memory) => memory.memory.split('\n', 1)[0]).reverse();

describe('the outbox journal', () => {
  it('holds what a reply promised until the store has it; a new app on the same journal replays it once, in order', async () => {
    const journal = new InMemoryOutboxJournal();
    const down = switchableStore();
    down.state.down = true;
    const { app: crashed } = appOn(down.provider, { journal });
    const token = await tokenFor({ sub: 'u' });
    for (let i = 0; i < 5; i++) {
      const response = await post(crashed, '/chat', token, { message: `fact ${i}` });
      expect(response.body.remembered).toBe(true);
    }
    expect(journal.size).toBe(5);

    // The next process: the store works, the journal still holds the promises (a crashed process removes nothing).
    const store = new InMemoryProvider();
    const { app } = appOn(store, { journal });
    expect(await app.replay()).toBe(5);
    await post(app, '/chat', token, { message: 'fact 5' });
    await app.drain();
    expect(await texts(store, 'u')).toEqual([0, 1, 2, 3, 4, 5].map((i) => `user: fact ${i}`));
    expect(journal.size).toBe(0);
  });

  it('a replay repeats the original idempotency keys, so a write that landed before the crash is stored once', async () => {
    const journal = new InMemoryOutboxJournal();
    const store = new InMemoryProvider();
    const { app: first } = appOn(store, { journal });
    const token = await tokenFor({ sub: 'u' });
    await post(first, '/chat', token, { message: 'landed' });
    const records = await journal.pending();
    await first.drain();
    // As if the process died after the store took the write and before the journal forgot it.
    for (const record of records) journal.append(record);
    const { app } = appOn(store, { journal });
    expect(await app.replay()).toBe(1);
    await app.drain();
    expect(await texts(store, 'u')).toEqual(['user: landed']);
  });

  it('past its bound in bytes, the reply says the exchange is not remembered (JSON and the stream’s done event)', async () => {
    const down = switchableStore();
    down.state.down = true;
    const { app, lines } = appOn(down.provider, { maxQueuedBytes: 400 });
    const token = await tokenFor({ sub: 'u' });
    expect((await post(app, '/chat', token, { message: 'a'.repeat(150) })).body.remembered).toBe(true);
    expect((await post(app, '/chat', token, { message: 'b'.repeat(150) })).body.remembered).toBe(false);
    const streamed = await app.fetch(
      new Request('http://app.test/chat', {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ message: 'c'.repeat(150) }),
      }),
    );
    const text = await streamed.text();
    expect(text).toMatch(/event: done\ndata: \{"reply":"[^"]*","remembered":false\}/);
    expect(app.droppedWrites).toBe(2);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'memory write not remembered' }));
    down.state.down = false;
    await app.drain();
    expect(await texts(down.inner, 'u')).toEqual([`user: ${'a'.repeat(150)}`]);
  });

  it('a journal that cannot take the promise makes the reply say so, and nothing is stored', async () => {
    const store = new InMemoryProvider();
    const full: OutboxJournal = {
      append: () => Promise.reject(new Error('SQLITE_FULL: database or disk is full')),
      remove: () => {},
      pending: async () => [],
    };
    const { app } = appOn(store, { journal: full });
    const response = await post(app, '/chat', await tokenFor({ sub: 'u' }), { message: 'hello' });
    expect(response.status).toBe(200);
    expect(response.body.remembered).toBe(false);
    await app.drain();
    expect(await texts(store, 'u')).toEqual([]);
  });
});

describe('GET /health while the store refuses writes', () => {
  it('is not ok while the last write failed, with the outbox depth and age; ok again once writes land', async () => {
    const down = switchableStore();
    down.state.down = true;
    const { app } = appOn(down.provider);
    await post(app, '/chat', await tokenFor({ sub: 'u' }), { message: 'hello' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const refusing = await app.fetch(new Request('http://local/health'));
    expect(refusing.status).toBe(503);
    const body = (await refusing.json()) as any;
    expect(body.status).toBe('degraded');
    expect(body.stores.memory).toMatchObject({
      state: 'down',
      error: expect.stringContaining('SQLITE_FULL'),
      lastWrite: { outcome: 'failed', error: expect.stringContaining('SQLITE_FULL') },
    });
    expect(body.writeQueue).toMatchObject({ depth: 1, bytes: expect.any(Number), dropped: 0 });
    expect(body.writeQueue.oldestAgeMs).toBeGreaterThan(0);
    down.state.down = false;
    await app.drain();
    const recovered = await app.fetch(new Request('http://local/health'));
    expect(recovered.status).toBe(200);
    expect(((await recovered.json()) as any).stores.memory.lastWrite.outcome).toBe('stored');
  });
});

describe('forget during an outage', () => {
  it('answers 503 leaving the queued writes in place; once it succeeds they are removed and none lands', async () => {
    const down = switchableStore();
    down.state.down = true;
    down.state.deletesDown = true;
    const journal = new InMemoryOutboxJournal();
    const { app } = appOn(down.provider, { journal });
    const token = await tokenFor({ sub: 'u' });
    for (let i = 0; i < 3; i++) await post(app, '/chat', token, { message: `secret ${i}` });
    const failed = await post(app, '/users/u/forget', token, {});
    expect(failed.status).toBe(503);
    expect(app.pendingWrites).toBe(3);
    expect(journal.size).toBe(3);
    down.state.deletesDown = false;
    const forgotten = await post(app, '/users/u/forget', token, {});
    expect(forgotten.status).toBe(200);
    expect(app.pendingWrites).toBe(0);
    expect(journal.size).toBe(0);
    down.state.down = false;
    await app.drain();
    expect(await texts(down.inner, 'u')).toEqual([]);
  });
});

describe('the per-chat warning', () => {
  it('collapses: one line at once, then one line with the count', async () => {
    const { logger, lines } = recordingLogger();
    const app = new App({ title: 't', memory: new UnreachableProvider(), auth: { secret: SECRET }, logger });
    app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable(), memory: injectMemory({ strategy: 'recent' }) });
    const token = await tokenFor({ sub: 'u' });
    for (let i = 0; i < 20; i++) expect((await post(app, '/chat', token, { message: `hi ${i}` })).status).toBe(200);
    const warnings = () => lines.filter((line) => line.message === 'memory unavailable, answering without it');
    expect(warnings()).toHaveLength(1);
    app.flushLogs();
    expect(warnings()).toHaveLength(2);
    expect(warnings()[1]!.details.repeatedSinceLastLine).toBe(19);
  });
});

describe('forget across replicas (a store with a forget fence)', () => {
  it('a forget through one app refuses the writes another app queued for the user before it', async () => {
    const shared = new InMemoryProvider();
    // Replica B cannot reach the store for writes for a while: its promised writes wait in its queue.
    let bDown = true;
    const bView: MemoryProvider = {
      ...switchableStore().provider,
      capabilities: shared.capabilities,
      add: async (...args) => {
        if (bDown) throw new ProviderUnavailableError('switchable', 'connection refused', { isRetryable: true });
        return shared.add(...args);
      },
      getAll: (...args) => shared.getAll(...args),
      deleteAll: (...args) => shared.deleteAll(...args),
    };
    const { app: a } = appOn(shared);
    const { app: b } = appOn(bView);
    const token = await tokenFor({ sub: 'u' });
    for (let i = 0; i < 3; i++) expect((await post(b, '/chat', token, { message: `secret ${i}` })).body.remembered).toBe(true);
    expect(b.pendingWrites).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await post(a, '/users/u/forget', token, {})).status).toBe(200);
    bDown = false;
    await b.drain();
    expect(await texts(shared, 'u')).toEqual([]);
    // A chat after the forget is remembered as usual.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await post(b, '/chat', token, { message: 'new start' });
    await b.drain();
    expect(await texts(shared, 'u')).toEqual(['user: new start']);
  });
});

describe('with memory formation (the default)', () => {
  const formingApp = (memory: MemoryProvider, writeQueue: ConstructorParameters<typeof App>[0]['writeQueue'] = {}) => {
    const { logger } = recordingLogger();
    const app = new App({ title: 't', memory, auth: { secret: SECRET }, logger, writeQueue: { backoff: fast, ...writeQueue } });
    app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable() });
    return app;
  };

  it('a turn the queue has no room for is answered as not remembered, and nothing is formed from it', async () => {
    const store = new InMemoryProvider();
    const app = formingApp(store, { maxQueuedBytes: 10 });
    const token = await tokenFor({ sub: 'u' });
    expect((await post(app, '/chat', token, { message: 'I live in Lisbon' })).body.remembered).toBe(false);
    await app.drain();
    expect(app.droppedWrites).toBe(1);
    expect(await texts(store, 'u')).toEqual([]);
  });

  it('a forget through one app refuses what another app forms afterwards from a turn before it', async () => {
    const shared = new InMemoryProvider();
    // Replica B cannot read the store for a while: its formations retry, nothing is queued yet.
    let bDown = true;
    const bView: MemoryProvider = {
      ...switchableStore().provider,
      capabilities: shared.capabilities,
      add: (...args) => shared.add(...args),
      search: async (...args) => {
        if (bDown) throw new ProviderUnavailableError('switchable', 'connection refused', { isRetryable: true });
        return shared.search(...args);
      },
      getAll: async (...args) => {
        if (bDown) throw new ProviderUnavailableError('switchable', 'connection refused', { isRetryable: true });
        return shared.getAll(...args);
      },
      deleteAll: (...args) => shared.deleteAll(...args),
    };
    const a = formingApp(shared);
    const b = formingApp(bView);
    const token = await tokenFor({ sub: 'u' });
    expect((await post(b, '/chat', token, { message: 'I live in Lisbon' })).body.remembered).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect((await post(a, '/users/u/forget', token, {})).status).toBe(200);
    bDown = false;
    // The formation's memories carry the turn's time: the fence refuses them.
    await b.drain();
    expect(await texts(shared, 'u')).toEqual([]);
    // A turn after the forget is formed and stored as usual.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await post(b, '/chat', token, { message: 'I live in Porto' });
    await b.drain();
    expect((await shared.getAll('u')).memories.map((memory) => memory.memory).join(' ')).toContain('Porto');
  }, 30_000);
});
