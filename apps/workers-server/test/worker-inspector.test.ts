import { sign } from 'hono/jwt';
import type { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorker } from './start-worker.js';

// The wrangler-built bundle in workerd, with the inspector turned on.
const jwtSecret = 'worker-inspector-secret-0123456789abcdef';
let worker: Miniflare;
let baseUrl: string;

beforeAll(async () => {
  ({ worker, baseUrl } = await startWorker({ JWT_SECRET: jwtSecret, INSPECTOR: 'true' }));
});
afterAll(() => worker.dispose());

describe('the inspector in workerd', () => {
  it('serves the page under its CSP, and the data behind the token', async () => {
    const page = await fetch(`${baseUrl}/inspector`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="/inspector/app.js" defer></script>');
    expect((await fetch(`${baseUrl}/inspector/app.js`)).headers.get('content-type')).toContain('text/javascript');
    expect((await fetch(`${baseUrl}/inspector/api/memories`)).status).toBe(401);

    const token = await sign({ sub: 'w1', exp: Math.floor(Date.now() / 1000) + 600 }, jwtSecret, 'HS256');
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    expect((await fetch(`${baseUrl}/memories`, { method: 'POST', headers, body: JSON.stringify({ content: 'likes <b>tea</b>' }) })).status).toBe(201);
    const listed = (await (await fetch(`${baseUrl}/inspector/api/memories`, { headers })).json()) as { memories: { memory: string }[] };
    expect(listed.memories.map((memory) => memory.memory)).toEqual(['likes <b>tea</b>']);
    const explained = (await (
      await fetch(`${baseUrl}/inspector/api/explain`, { method: 'POST', headers, body: JSON.stringify({ query: 'tea', minRelevance: 0 }) })
    ).json()) as { included: unknown[]; provider: string };
    expect(explained.included).toHaveLength(1);
    const latency = (await (await fetch(`${baseUrl}/inspector/api/latency`, { headers })).json()) as { operations: { operation: string }[] };
    expect(latency.operations.map((row) => row.operation)).toEqual(expect.arrayContaining(['add', 'getAll', 'search']));
  });
});
