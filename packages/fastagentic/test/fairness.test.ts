import { InMemoryProvider, type RefusalEvent } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { SECRET, tokenFor } from './helpers.js';

function appWith(options: Partial<ConstructorParameters<typeof App>[0]> = {}) {
  const refusals: RefusalEvent[] = [];
  const memory = options.memory ?? new InMemoryProvider();
  const app = new App({
    title: 't',
    memory,
    auth: { secret: SECRET },
    metrics: { record: () => {}, recordRefusal: (event) => refusals.push(event) },
    ...options,
  });
  app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable() });
  return { app, memory, refusals };
}

async function call(app: App, method: string, path: string, user: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await app.fetch(
    new Request(`http://app.test${path}`, {
      method,
      headers: { authorization: `Bearer ${await tokenFor({ sub: user })}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
}

describe('per-user rate limit', () => {
  it('answers 429 with Retry-After once a user spends the burst, without slowing other users', async () => {
    const { app, refusals } = appWith({ rateLimit: { requestsPerSecond: 0.5, burst: 3 } });
    for (let i = 0; i < 3; i++) expect((await call(app, 'GET', '/memories', 'greedy')).status).toBe(200);
    const refused = await call(app, 'GET', '/memories', 'greedy');
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe('rate_limited');
    // One request comes back every 2 s.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(2);
    expect((await call(app, 'POST', '/chat', 'greedy', { message: 'hi' })).status).toBe(429);
    expect((await call(app, 'GET', '/memories', 'patient')).status).toBe(200);
    expect(refusals).toEqual([
      { reason: 'rate_limited', limit: 'requests' },
      { reason: 'rate_limited', limit: 'requests' },
    ]);
  });

  it('keeps a bounded number of buckets', async () => {
    const { app } = appWith({ rateLimit: { requestsPerSecond: 0.001, burst: 1, maxTrackedUsers: 2 } });
    expect((await call(app, 'GET', '/memories', 'a')).status).toBe(200);
    expect((await call(app, 'GET', '/memories', 'a')).status).toBe(429);
    // Two other users push a's bucket out: a starts again with a full one.
    await call(app, 'GET', '/memories', 'b');
    await call(app, 'GET', '/memories', 'c');
    expect((await call(app, 'GET', '/memories', 'a')).status).toBe(200);
  });
});

describe('per-user storage quota', () => {
  it('refuses the memory past maxMemories with 507 naming the limit; a delete makes room', async () => {
    const { app, refusals } = appWith({ storageQuota: { maxMemories: 3 } });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const added = await call(app, 'POST', '/memories', 'hoarder', { content: `fact ${i}` });
      expect(added.status).toBe(201);
      ids.push(added.body.id);
    }
    const refused = await call(app, 'POST', '/memories', 'hoarder', { content: 'one too many' });
    expect(refused.status).toBe(507);
    expect(refused.body.error).toMatchObject({ type: 'quota_exceeded', limit: 'memories', max: 3 });
    expect(refused.body.error.message).toContain('3 memories');
    // A chat would store its exchange: refused before the model runs.
    const chat = await call(app, 'POST', '/chat', 'hoarder', { message: 'hello' });
    expect(chat.status).toBe(507);
    expect((await call(app, 'POST', '/memories', 'someone-else', { content: 'fine' })).status).toBe(201);
    expect((await call(app, 'DELETE', `/memories/${ids[0]}`, 'hoarder')).status).toBe(200);
    expect((await call(app, 'POST', '/memories', 'hoarder', { content: 'room again' })).status).toBe(201);
    expect(refusals).toEqual([
      { reason: 'quota_exceeded', limit: 'memories' },
      { reason: 'quota_exceeded', limit: 'memories' },
    ]);
    expect((await call(app, 'POST', '/users/hoarder/forget', 'hoarder')).status).toBe(200);
    expect((await call(app, 'POST', '/memories', 'hoarder', { content: 'after forget' })).status).toBe(201);
  });

  it('refuses a memory that would go past maxBytes, counting UTF-8 bytes of text and metadata', async () => {
    const { app, refusals } = appWith({ storageQuota: { maxBytes: 100 } });
    expect((await call(app, 'POST', '/memories', 'writer', { content: 'é'.repeat(30), metadata: { a: 1 } })).status).toBe(201);
    // 60 bytes of text and 7 of metadata so far; no metadata counts as `{}`: 34 + 2 more would be 103.
    const refused = await call(app, 'POST', '/memories', 'writer', { content: 'x'.repeat(34) });
    expect(refused.status).toBe(507);
    expect(refused.body.error).toMatchObject({ type: 'quota_exceeded', limit: 'bytes', max: 100 });
    expect((await call(app, 'POST', '/memories', 'writer', { content: 'x'.repeat(31) })).status).toBe(201);
    expect(refusals).toEqual([{ reason: 'quota_exceeded', limit: 'bytes' }]);
  });

  it('counts what the store already holds, so a restart does not reset the quota', async () => {
    const memory = new InMemoryProvider();
    for (let i = 0; i < 4; i++) await memory.add('returning', [{ role: 'user', content: `old fact ${i}` }]);
    const { app } = appWith({ memory, storageQuota: { maxMemories: 5 } });
    expect((await call(app, 'POST', '/memories', 'returning', { content: 'fifth' })).status).toBe(201);
    expect((await call(app, 'POST', '/memories', 'returning', { content: 'sixth' })).status).toBe(507);
    // Concurrent first writes of a fresh user, each counting the store, cannot all slip through.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call(app, 'POST', '/memories', 'burst', { content: `fact ${i}` })),
    );
    expect(results.filter((result) => result.status === 201)).toHaveLength(5);
    expect((await memory.getAll('burst')).memories).toHaveLength(5);
  });

  it("counts a chat's exchange, and lets chats through when the quota is off", async () => {
    const { app } = appWith({ storageQuota: { maxMemories: 2 } });
    expect((await call(app, 'POST', '/memories', 'chatter', { content: 'first' })).status).toBe(201);
    expect((await call(app, 'POST', '/chat', 'chatter', { message: 'second, by chat' })).status).toBe(200);
    await app.drain();
    expect((await call(app, 'POST', '/chat', 'chatter', { message: 'third' })).status).toBe(507);
    const { app: unlimited } = appWith();
    for (let i = 0; i < 5; i++) expect((await call(unlimited, 'POST', '/chat', 'chatter', { message: `chat ${i}` })).status).toBe(200);
  });
});

describe('Cache-Control', () => {
  it('every memory route and chat reply, streamed or not, and their refusals say no-store', async () => {
    const { app } = appWith({ rateLimit: { requestsPerSecond: 0.001, burst: 8 } });
    const added = await call(app, 'POST', '/memories', 'private', { content: 'My PIN is 2468' });
    const responses = [
      added,
      await call(app, 'GET', '/memories', 'private'),
      await call(app, 'GET', `/memories/${added.body.id}`, 'private'),
      await call(app, 'GET', '/memories/search?query=PIN', 'private'),
      await call(app, 'POST', '/memories/search', 'private', { query: 'PIN' }),
      await call(app, 'POST', '/chat', 'private', { message: 'What is my PIN?' }),
      await call(app, 'POST', '/chat', 'private', { message: 'What is my PIN?' }, { accept: 'text/event-stream' }),
      await call(app, 'GET', '/memories?limit=nope', 'private'),
      await call(app, 'GET', '/memories', 'private'),
    ];
    expect(responses.map((response) => response.status)).toEqual([201, 200, 200, 200, 200, 200, 200, 400, 429]);
    const unauthorized = await app.fetch(new Request('http://app.test/memories'));
    for (const response of [...responses, unauthorized]) expect(response.headers.get('cache-control')).toBe('no-store');
  });
});
