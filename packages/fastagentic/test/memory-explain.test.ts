import { InMemoryProvider, injectMemory } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App, type AppLogger } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { SECRET, tokenFor } from './helpers.js';

async function chat(app: App, token: string, message: string, explain: boolean) {
  const response = await app.fetch(
    new Request('http://app.test/chat', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(explain ? { 'x-memory-explain': '1' } : {}),
      },
      body: JSON.stringify({ message }),
    }),
  );
  return { status: response.status, body: (await response.json()) as any };
}

describe('X-Memory-Explain', () => {
  it("explains the caller's own injection and logs a one-line summary at debug level", async () => {
    const memory = new InMemoryProvider();
    await memory.add('u1', [{ role: 'user', content: 'I like jazz piano' }], { category: 'music' });
    await memory.add('u1', [{ role: 'user', content: 'jazz concerts bore my partner' }], { category: 'family' });
    await memory.add('u2', [{ role: 'user', content: 'jazz is my secret' }], { category: 'music' });
    const debug: string[] = [];
    const logger: AppLogger = { warn() {}, error() {}, debug: (message) => debug.push(message) };
    const app = new App({ title: 't', memory, auth: { secret: SECRET }, logger });
    app.agentEndpoint({
      path: '/chat',
      runnable: new OfflineRunnable(),
      remember: false,
      memory: injectMemory({ strategy: 'relevant', filters: { category: 'music' } }),
    });
    const token = await tokenFor({ sub: 'u1' });

    const plain = await chat(app, token, 'jazz piano', false);
    expect(plain.body.explain).toBeUndefined();
    expect(debug).toEqual([]);

    const explained = await chat(app, token, 'jazz piano', true);
    expect(explained.status).toBe(200);
    expect(explained.body.memories.map((m: { memory: string }) => m.memory)).toEqual(['I like jazz piano']);
    expect(explained.body.explain).toMatchObject({
      provider: 'in-memory',
      candidatesExamined: 2,
      injected: [{ memory: 'I like jazz piano' }],
      excluded: [{ memory: 'jazz concerts bore my partner', reason: { kind: 'filtered-out', clause: 'category eq "music"' } }],
    });
    expect(explained.body.explain.excluded[0].score).toBeGreaterThan(0);
    expect(JSON.stringify(explained.body)).not.toContain('secret');
    expect(debug).toEqual([
      expect.stringMatching(/^memory explain: injected 1 of 2 candidates \(in-memory, [\d.]+ ms\); excluded: 1 filtered-out$/),
    ]);
  });
});
