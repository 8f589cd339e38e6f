import { InMemoryProvider, injectMemory } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { post, recordingLogger, recordingMetrics, SECRET, slowProvider, tokenFor, UnreachableProvider } from './helpers.js';

function appWith(memory: InMemoryProvider | ReturnType<typeof slowProvider>, extra: { failClosed?: boolean; memoryBudgetMs?: number } = {}) {
  const { logger, lines } = recordingLogger();
  const { recorder, events } = recordingMetrics();
  const app = new App({ title: 't', memory, auth: { secret: SECRET }, logger, metrics: recorder, ...extra });
  app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable(), memory: injectMemory({ strategy: 'relevant' }) });
  return { app, lines, events };
}

describe('a failing or slow memory backend', () => {
  it('fails open by default: the chat answers without memories, and the failure is counted and logged', async () => {
    const { app, lines, events } = appWith(new UnreachableProvider());
    const response = await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'hello there' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ memories: [], memoryAvailable: false });
    expect(response.body.reply).toContain('I remember nothing about you yet.');
    expect(events).toContainEqual(expect.objectContaining({ operation: 'search', outcome: 'error', errorType: 'ProviderUnavailableError' }));
    expect(lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'memory unavailable, answering without it' }));
  });

  it('fails closed when configured: 503 with a JSON error', async () => {
    const { app, lines } = appWith(new UnreachableProvider(), { failClosed: true });
    const response = await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'hello there' });
    expect(response.status).toBe(503);
    expect(response.body.error.type).toBe('memory_unavailable');
    expect(lines).toContainEqual(expect.objectContaining({ message: 'memory unavailable, refusing' }));
  });

  it('gives up on a read slower than the budget and answers in time', async () => {
    const inner = new InMemoryProvider();
    await inner.add('u1', [{ role: 'user', content: 'hello memory' }]);
    const { app, events } = appWith(slowProvider(inner, 2000), { memoryBudgetMs: 50 });
    const started = performance.now();
    const response = await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'hello' });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(response.body).toMatchObject({ memories: [], memoryAvailable: false });
    expect(events).toContainEqual(expect.objectContaining({ provider: 'slow', operation: 'search', outcome: 'error' }));
    await app.drain();
  });

  it('a read within the budget is used', async () => {
    const inner = new InMemoryProvider();
    await inner.add('u1', [{ role: 'user', content: 'hello memory' }]);
    const { app } = appWith(slowProvider(inner, 10), { memoryBudgetMs: 1000 });
    const response = await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'hello' });
    expect(response.body.memoryAvailable).toBe(true);
    expect(response.body.memories[0].memory).toBe('hello memory');
    await app.drain();
  });
});
