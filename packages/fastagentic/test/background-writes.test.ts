import { InMemoryProvider } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { post, recordingLogger, SECRET, slowProvider, tokenFor } from './helpers.js';

describe('storing the exchange after the reply', () => {
  function slowWriteApp() {
    const memory = new InMemoryProvider();
    const sessionMemory = new InMemoryProvider({ ttlSeconds: 60 });
    const { logger, lines } = recordingLogger();
    const app = new App({
      title: 't',
      memory: slowProvider(memory, 0, 150),
      sessionMemory: slowProvider(sessionMemory, 0, 150),
      auth: { secret: SECRET },
      logger,
      // The raw exchange path: what is written is fixed, so the test is about when it is written.
      formation: false,
    });
    app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable() });
    return { app, memory, sessionMemory, lines };
  }

  it('on Node: answers before the writes finish, and drain() waits for them', async () => {
    const { app, memory, sessionMemory } = slowWriteApp();
    const response = await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'remember me', sessionId: 's1' });
    expect(response.status).toBe(200);
    // The reply came back while both writes were still in flight.
    expect(app.pendingWrites).toBe(2);
    expect((await memory.getAll('u1')).memories).toEqual([]);
    await app.drain();
    expect(app.pendingWrites).toBe(0);
    expect((await memory.getAll('u1')).memories[0]!.memory).toBe('user: remember me\nassistant: I remember nothing about you yet.');
    expect((await sessionMemory.getAll('u1')).memories[0]!.metadata).toEqual({ sessionId: 's1' });
  });

  it('on Workers: hands the writes to executionCtx.waitUntil', async () => {
    const { app, memory } = slowWriteApp();
    const handed: Promise<unknown>[] = [];
    const ctx = { waitUntil: (promise: Promise<unknown>) => handed.push(promise), passThroughOnException() {} };
    await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'remember me' }, ctx);
    expect(handed).toHaveLength(1);
    await handed[0];
    expect((await memory.getAll('u1')).memories).toHaveLength(1);
  });

  it('a failed write is logged, not thrown at the client', async () => {
    const { app, lines } = slowWriteApp();
    const longReply = 'x'.repeat(4000);
    app.agentEndpoint({ path: '/long', runnable: new OfflineRunnable() }, () => longReply.repeat(9));
    const response = await post(app, '/long', await tokenFor({ sub: 'u1' }), { message: 'hi' });
    expect(response.status).toBe(200);
    await app.drain();
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', message: 'memory write failed for good' }));
  });
});
