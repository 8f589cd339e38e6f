import { InMemoryProvider, injectMemory, injectWithProfile } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { post, SECRET, tokenFor } from './helpers.js';

async function call(app: App, method: string, path: string, token: string, body?: unknown) {
  const response = await app.fetch(
    new Request(`http://app.test${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  return { status: response.status, body: (await response.json()) as any };
}

function formingApp() {
  const memory = new InMemoryProvider();
  const app = new App({ title: 't', memory, auth: { secret: SECRET } });
  app.agentEndpoint({
    path: '/chat',
    runnable: new OfflineRunnable(),
    memory: injectWithProfile(injectMemory({ strategy: 'relevant', minRelevance: 0.3 })),
  });
  return { app, memory };
}

async function facts(memory: InMemoryProvider, userId: string): Promise<string[]> {
  const { memories } = await memory.getAll(userId, { filters: { kind: 'fact' } });
  return memories.map((stored) => stored.memory).sort();
}

describe('the App forms memories from each turn', () => {
  it('keeps what the user said, never its own reply, questions or greetings, and tells it back', async () => {
    const { app, memory } = formingApp();
    const token = await tokenFor({ sub: 'u1' });

    const first = await post(app, '/chat', token, { message: 'Hi! My favourite colour is teal.' });
    expect(first.body.reply).toBe('I remember nothing about you yet.');
    await app.drain();
    const asked = await post(app, '/chat', token, { message: 'Which colour is my favourite?' });
    await app.drain();

    expect(asked.body.reply).toContain('You told me your favourite colour is teal.');
    expect(await facts(memory, 'u1')).toEqual(['My favourite colour is teal']);
    const all = (await memory.getAll('u1')).memories.map((stored) => stored.memory).join('\n');
    expect(all).not.toMatch(/You told me|remember nothing|Which colour/);
  });

  it('a restatement refreshes the memory and an update supersedes the old one, in the profile too', async () => {
    const { app, memory } = formingApp();
    const token = await tokenFor({ sub: 'u1' });
    for (const message of ['I live in Paris.', 'I live in Paris!', 'Guess what, I moved to Berlin.']) {
      await post(app, '/chat', token, { message });
      await app.drain();
    }

    expect(await facts(memory, 'u1')).toEqual(['Guess what, I moved to Berlin']);
    const profile = await call(app, 'GET', '/profile', token);
    expect(profile.body).toEqual({ profile: { home: 'Berlin' } });
    const reply = await post(app, '/chat', token, { message: 'Where do I live these days?' });
    expect(reply.body.reply).not.toContain('Paris');
    expect(reply.body.reply).toContain('Lives in: Berlin');
  });

  it('serves the profile over GET and PUT /profile; forget removes memories, history and profile', async () => {
    const { app, memory } = formingApp();
    const token = await tokenFor({ sub: 'u1' });
    await post(app, '/chat', token, { message: 'My name is Ada.' });
    await app.drain();

    const put = await call(app, 'PUT', '/profile', token, { profile: { name: 'Ada', diet: 'vegan' } });
    expect(put.status).toBe(200);
    expect((await call(app, 'GET', '/profile', token)).body).toEqual({ profile: { name: 'Ada', diet: 'vegan' } });
    expect((await call(app, 'PUT', '/profile', token, { profile: 'vegan' })).body.error.field).toBe('profile');
    const [fact] = (await memory.getAll('u1', { filters: { kind: 'fact' } })).memories;

    const forget = await call(app, 'DELETE', '/users/u1/memories', token);
    expect(forget.status).toBe(200);
    expect((await memory.getAll('u1')).memories).toEqual([]);
    expect(await memory.history!('u1', fact!.id)).toEqual([]);
    expect((await call(app, 'GET', '/profile', token)).body).toEqual({ profile: {} });
  });
});
