import { InMemoryProvider } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { recordingLogger, SECRET, UnreachableProvider } from './helpers.js';

describe('GET /health', () => {
  it('reports each store up, and the write queue', async () => {
    const app = new App({ title: 't', memory: new InMemoryProvider(), sessionMemory: new InMemoryProvider(), auth: { secret: SECRET } });
    const response = await app.fetch(new Request('http://local/health'));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      stores: {
        memory: { provider: 'in-memory', state: 'up', latencyMs: expect.any(Number) },
        sessionMemory: { provider: 'in-memory', state: 'up', latencyMs: expect.any(Number) },
      },
      writeQueue: { depth: 0, bytes: 0, oldestAgeMs: 0, dropped: 0 },
    });
  });

  it('answers 503 naming the store that is down', async () => {
    const { logger } = recordingLogger();
    const app = new App({ title: 't', memory: new UnreachableProvider(), auth: { secret: SECRET }, logger });
    const response = await app.fetch(new Request('http://local/health'));
    expect(response.status).toBe(503);
    const body = (await response.json()) as { status: string; stores: { memory: { state: string; error: string } } };
    expect(body.status).toBe('degraded');
    expect(body.stores.memory).toMatchObject({ state: 'down', error: expect.stringContaining('connection refused') });
  });
});
