import { InMemoryProvider } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { SECRET, tokenFor } from './helpers.js';

async function call(app: App, method: string, path: string, token?: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await app.fetch(
    new Request(`http://app.test${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
  );
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

async function setUp() {
  const memory = new InMemoryProvider();
  const sessionMemory = new InMemoryProvider({ ttlSeconds: 600 });
  const app = new App({ title: 'Demo <b>', memory, sessionMemory, auth: { secret: SECRET }, inspector: true });
  return { app, memory, sessionMemory };
}

describe('inspector', () => {
  it('is off unless asked for', async () => {
    const app = new App({ title: 't', memory: new InMemoryProvider(), auth: { secret: SECRET } });
    expect((await call(app, 'GET', '/inspector')).status).toBe(404);
  });

  it('serves the page and its script without a token, under a strict CSP, with no inline script', async () => {
    const { app } = await setUp();
    const page = await call(app, 'GET', '/inspector');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'; script-src 'self'; style-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.text).toContain('<title>Demo &lt;b&gt;: memory inspector</title>');
    expect(page.text).not.toMatch(/<script>|<script(?![^>]*\bsrc=)|<style|\sstyle=|\son\w+=/);
    const script = await call(app, 'GET', '/inspector/app.js');
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(script.text).not.toContain('innerHTML');
    expect((await call(app, 'GET', '/inspector/app.css')).headers.get('content-type')).toContain('text/css');
  });

  it('needs the bearer token for data; a user sees only their own memories, an admin any', async () => {
    const { app, memory } = await setUp();
    await memory.add('alice', [{ role: 'user', content: 'alice likes tea' }]);
    await memory.add('bob', [{ role: 'user', content: 'bob likes coffee' }]);
    const alice = await tokenFor({ sub: 'alice' });
    const admin = await tokenFor({ sub: 'root', roles: ['admin'] });

    const anonymous = await call(app, 'GET', '/inspector/api/memories');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-security-policy')).toBeTruthy();
    expect((await call(app, 'GET', '/inspector/api/me', alice)).json()).toEqual({ id: 'alice', isAdmin: false, sessionMemory: true });
    const own = (await call(app, 'GET', '/inspector/api/memories', alice)).json();
    expect(own.memories.map((m: { memory: string }) => m.memory)).toEqual(['alice likes tea']);
    const refused = await call(app, 'GET', '/inspector/api/memories?subject=bob', alice);
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('coffee');
    expect((await call(app, 'POST', '/inspector/api/forget?subject=bob', alice)).status).toBe(403);
    expect((await memory.getAll('bob')).memories).toHaveLength(1);

    const looked = (await call(app, 'GET', '/inspector/api/memories?subject=bob', admin)).json();
    expect(looked.memories.map((m: { memory: string }) => m.memory)).toEqual(['bob likes coffee']);
  });

  it('reads and replaces a user’s profile: their own, or any user’s for an admin; a bad profile is a 400 naming it', async () => {
    const { app, memory } = await setUp();
    const alice = await tokenFor({ sub: 'alice' });
    const admin = await tokenFor({ sub: 'root', roles: ['admin'] });
    expect((await call(app, 'GET', '/inspector/api/profile', alice)).json()).toEqual({ profile: {} });

    const saved = await call(app, 'PUT', '/inspector/api/profile', alice, { profile: { name: 'Alice', diet: 'vegetarian' } });
    expect(saved.status).toBe(200);
    expect((await call(app, 'GET', '/inspector/api/profile', alice)).json()).toEqual({ profile: { name: 'Alice', diet: 'vegetarian' } });
    // Kept as one profile memory of alice's, so forget removes it with the rest.
    expect((await memory.getAll('alice', { filters: { kind: 'profile' } })).memories).toHaveLength(1);

    expect((await call(app, 'GET', '/inspector/api/profile?subject=bob', alice)).status).toBe(403);
    expect((await call(app, 'PUT', '/inspector/api/profile?subject=bob', alice, { profile: { name: 'Mallory' } })).status).toBe(403);
    expect((await call(app, 'PUT', '/inspector/api/profile?subject=bob', admin, { profile: { name: 'Bob' } })).status).toBe(200);
    expect((await call(app, 'GET', '/inspector/api/profile?subject=bob', admin)).json()).toEqual({ profile: { name: 'Bob' } });

    const bad = await call(app, 'PUT', '/inspector/api/profile', alice, { profile: ['not', 'an', 'object'] });
    expect(bad.status).toBe(400);
    expect(bad.json().error.field).toBe('profile');
  });

  it('pages, explains at a given minRelevance, deletes one memory, forgets the user and shows latency', async () => {
    const { app, memory, sessionMemory } = await setUp();
    for (let i = 0; i < 12; i++) await memory.add('u1', [{ role: 'user', content: `note ${i} about tea` }]);
    await memory.add('u1', [{ role: 'user', content: 'green tea in the morning, tea at night' }]);
    await sessionMemory.add('u1', [{ role: 'user', content: 'this session: tea' }], { sessionId: 's1' });
    const token = await tokenFor({ sub: 'u1' });

    const first = (await call(app, 'GET', '/inspector/api/memories?limit=10', token)).json();
    expect(first.memories).toHaveLength(10);
    const second = (await call(app, 'GET', `/inspector/api/memories?limit=10&cursor=${encodeURIComponent(first.nextCursor)}`, token)).json();
    expect(second.memories).toHaveLength(3);
    expect(second.nextCursor).toBeNull();
    const session = (await call(app, 'GET', '/inspector/api/memories?store=session', token)).json();
    expect(session.memories[0].metadata).toEqual({ sessionId: 's1' });

    const loose = (await call(app, 'POST', '/inspector/api/explain', token, { query: 'green tea', minRelevance: 0, maxMemories: 20 })).json();
    expect(loose.included).toHaveLength(13);
    const strict = (await call(app, 'POST', '/inspector/api/explain', token, { query: 'green tea', minRelevance: 0.5, maxMemories: 20 })).json();
    expect(strict.included.map((m: { memory: string }) => m.memory)).toEqual(['green tea in the morning, tea at night']);
    expect(strict.excluded).toHaveLength(12);
    expect(strict.excluded[0].reason.kind).toBe('below-min-relevance');
    const bad = await call(app, 'POST', '/inspector/api/explain', token, { query: 'tea', minRelevance: 2 });
    expect(bad.status).toBe(400);
    expect(bad.json().error.field).toBe('minRelevance');

    expect((await call(app, 'DELETE', `/inspector/api/memories/${strict.included[0].id}`, token)).status).toBe(200);
    expect((await memory.getAll('u1')).memories).toHaveLength(12);
    expect((await call(app, 'DELETE', `/inspector/api/memories/${session.memories[0].id}?store=session`, token)).status).toBe(200);
    expect((await sessionMemory.getAll('u1')).memories).toHaveLength(0);

    expect((await call(app, 'POST', '/inspector/api/forget', token)).json()).toEqual({ deleted: 12 });
    expect((await memory.getAll('u1')).memories).toEqual([]);

    const latency = (await call(app, 'GET', '/inspector/api/latency', token)).json();
    // The provider's first call (the first listing) is a row of its own, outside getAll's percentiles.
    expect(latency.operations[0]).toMatchObject({ provider: 'in-memory', operation: 'getAll', calls: 1, firstCall: true });
    expect(latency.operations.filter((row: { firstCall?: boolean }) => row.firstCall)).toHaveLength(1);
    const search = latency.operations.find((row: { operation: string; firstCall?: boolean }) => row.operation === 'search' && !row.firstCall);
    // Two searches per explanation (the search, then the candidates); the refused one failed at the first.
    expect(search).toMatchObject({ provider: 'in-memory', calls: 5, errors: 1 });
    expect(search.p99Ms).toBeGreaterThanOrEqual(search.p50Ms);
    expect(latency.operations.map((row: { operation: string }) => row.operation)).toEqual(
      expect.arrayContaining(['getAll', 'search', 'delete', 'deleteAll']),
    );
  });
});
