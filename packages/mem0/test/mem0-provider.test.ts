import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  MemoryConfigurationError,
  MemoryNotFoundError,
  ProviderUnavailableError,
  UnsupportedFilterError,
  type MemoryFilter,
} from '@fastagentic/memory';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Mem0Provider, type Mem0ProviderOptions } from '../src/index.js';
import { Mem0PlatformServer } from './mem0-platform-server.js';

const server = new Mem0PlatformServer({ apiKey: 'k', orgId: 'org-1', projectId: 'proj-1' });
const fastRetry = { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 1_000 };
const make = (options: Mem0ProviderOptions = {}) => new Mem0Provider({ apiKey: 'k', baseUrl: server.url, retry: fastRetry, ...options });

async function captureError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

await server.start();
afterAll(() => server.stop());
afterEach(() => server.clearFaults());

describe('configuration', () => {
  it('a missing key is a MemoryConfigurationError naming apiKey at construction', () => {
    const env = globalThis.process.env;
    const saved = env.MEM0_API_KEY;
    delete env.MEM0_API_KEY;
    try {
      const error = (() => {
        try {
          new Mem0Provider();
        } catch (caught) {
          return caught;
        }
      })();
      expect(MemoryConfigurationError.isInstance(error)).toBe(true);
      expect((error as MemoryConfigurationError).option).toBe('apiKey');
    } finally {
      if (saved !== undefined) env.MEM0_API_KEY = saved;
    }
  });

  it('reads MEM0_API_KEY from the environment', async () => {
    const env = globalThis.process.env;
    const saved = env.MEM0_API_KEY;
    env.MEM0_API_KEY = 'k';
    try {
      const provider = new Mem0Provider({ baseUrl: server.url });
      expect(await provider.getAll('env-user')).toEqual({ memories: [], nextCursor: null });
    } finally {
      if (saved === undefined) delete env.MEM0_API_KEY;
      else env.MEM0_API_KEY = saved;
    }
  });

  it('a self-hosted config on the edge entry points to @fastagentic/mem0/oss', () => {
    expect(() => new Mem0Provider({ apiKey: 'k', config: {} })).toThrow(/@fastagentic\/mem0\/oss/);
  });

  it('rejects bad options naming them', () => {
    for (const [options, option] of [
      [{ baseUrl: 'api.mem0.ai' }, 'baseUrl'],
      [{ baseUrl: undefined, host: 'api.mem0.ai' }, 'host'],
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ retry: { maxRetries: -1 } }, 'retry.maxRetries'],
      [{ readYourWrites: { timeoutMs: -5 } }, 'readYourWrites.timeoutMs'],
    ] as const) {
      try {
        make(options as Mem0ProviderOptions);
        expect.unreachable(`${option} was accepted`);
      } catch (error) {
        expect((error as MemoryConfigurationError).option).toBe(option);
      }
    }
  });

  it('host is a deprecated alias of baseUrl', async () => {
    const provider = new Mem0Provider({ apiKey: 'k', host: `${server.url}/` });
    expect(await provider.getAll('alias-user')).toEqual({ memories: [], nextCursor: null });
  });

  it('orgId and projectId are checked against /v1/ping/ once and sent as org_id / project_id', async () => {
    const provider = make({ orgId: 'org-1', projectId: 'proj-1' });
    const before = server.requests.length;
    await provider.add('org-user', [{ role: 'user', content: 'Scoped fact' }]);
    await provider.search('org-user', 'scoped');
    const sent = server.requests.slice(before);
    expect(sent.filter((request) => request.path === '/v1/ping/')).toHaveLength(1);
    expect(sent.find((request) => request.path === '/v3/memories/add/')!.body).toMatchObject({ org_id: 'org-1', project_id: 'proj-1' });
    expect(sent.find((request) => request.path === '/v3/memories/search/')!.body).toMatchObject({ org_id: 'org-1', project_id: 'proj-1' });
    await provider.deleteAll('org-user');
    expect(server.requests.at(-1)!.query).toEqual({ user_id: 'org-user', org_id: 'org-1', project_id: 'proj-1' });
  });

  it('a key from another project is a MemoryConfigurationError naming projectId', async () => {
    const error = await captureError(() => make({ projectId: 'someone-else' }).getAll('u'));
    expect((error as MemoryConfigurationError).option).toBe('projectId');
  });

  it('an invalid key surfaces as MemoryConfigurationError(apiKey), not retried', async () => {
    const before = server.requests.length;
    const error = await captureError(() => make({ apiKey: 'wrong' }).search('u', 'q'));
    expect(MemoryConfigurationError.isInstance(error)).toBe(true);
    expect((error as MemoryConfigurationError).option).toBe('apiKey');
    expect(server.requests.length - before).toBe(1);
  });
});

describe('failures', () => {
  it('429 is retried after the Retry-After the server asked for', async () => {
    server.injectFaults({ status: 429, retryAfter: '1' });
    const started = performance.now();
    expect(await make({ retry: { ...fastRetry, maxDelayMs: 2_000 } }).getAll('retry-user')).toEqual({ memories: [], nextCursor: null });
    expect(performance.now() - started).toBeGreaterThanOrEqual(990);
  });

  it('a 5xx burst within the retry budget is absorbed', async () => {
    server.injectFaults({ status: 502 }, { status: 503 }, { status: 500 });
    const before = server.requests.length;
    expect(await make().getAll('burst-user')).toEqual({ memories: [], nextCursor: null });
    expect(server.requests.length - before).toBe(4);
  });

  it('a burst longer than the budget is a retryable ProviderUnavailableError with the status', async () => {
    server.injectFaults({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const error = await captureError(() => make().search('u', 'q'));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: true, statusCode: 503 });
  });

  it('a Retry-After beyond maxDelayMs fails at once, carrying retryAfterMs', async () => {
    server.injectFaults({ status: 429, retryAfter: '120' });
    const started = performance.now();
    const error = await captureError(() => make().search('u', 'q'));
    expect(error).toMatchObject({ isRetryable: true, statusCode: 429, retryAfterMs: 120_000 });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a 400 is not retried and is not retryable', async () => {
    server.injectFaults({ status: 400 });
    const error = await captureError(() => make().search('u', 'q'));
    expect(error).toMatchObject({ isRetryable: false, statusCode: 400 });
  });

  it('a 200 that is not JSON (a proxy page) is a non-retryable ProviderUnavailableError', async () => {
    server.injectFaults({ status: 200, rawBody: '<html>captive portal</html>' });
    const error = await captureError(() => make().search('u', 'q'));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ isRetryable: false });
  });

  it('a slow answer times out per attempt (timeoutMs) and is retried', async () => {
    server.injectFaults({ status: 200, delayMs: 3_000 });
    const started = performance.now();
    expect((await make({ timeoutMs: 150 }).getAll('slow-user')).memories).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('timeouts on every attempt end in a retryable ProviderUnavailableError', async () => {
    server.injectFaults({ status: 200, delayMs: 600 }, { status: 200, delayMs: 600 });
    const error = await captureError(() => make({ timeoutMs: 100, retry: { maxRetries: 1, baseDelayMs: 1 } }).getAll('u'));
    expect(error).toMatchObject({ isRetryable: true });
    expect(String((error as Error).message)).toContain('timed out');
  });

  it('an AbortSignal cancels a request in flight with its reason', async () => {
    server.injectFaults({ status: 200, delayMs: 800 });
    const controller = new AbortController();
    const before = server.requests.length;
    const started = performance.now();
    const call = make().getAll('u', { signal: controller.signal });
    // Abort once the request is at the server, so it is truly in flight.
    await vi.waitFor(() => expect(server.requests.length).toBeGreaterThan(before), { interval: 5 });
    controller.abort(new Error('caller gave up'));
    await expect(call).rejects.toThrow('caller gave up');
    expect(performance.now() - started).toBeLessThan(700);
  });

  it('an unreachable server is a retryable ProviderUnavailableError, for reads and for writes (nothing was sent)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = new Mem0Provider({ apiKey: 'k', baseUrl: `http://127.0.0.1:${port}`, retry: { maxRetries: 1, baseDelayMs: 1 } });
    expect(await captureError(() => unreachable.getAll('u'))).toMatchObject({ isRetryable: true, provider: 'mem0' });
    expect(await captureError(() => unreachable.add('u', [{ role: 'user', content: 'x' }]))).toMatchObject({ isRetryable: true });
  });

  it('403 is MemoryConfigurationError(apiKey), not retried', async () => {
    server.injectFaults({ status: 403 });
    const before = server.requests.length;
    const error = await captureError(() => make().search('u', 'q'));
    expect((error as MemoryConfigurationError).option).toBe('apiKey');
    expect(server.requests.length - before).toBe(1);
  });

  it('404 on a list or search of a user Mem0 does not know is an empty result', async () => {
    server.injectFaults({ status: 404, pathPrefix: '/v3/memories/search/' }, { status: 404, pathPrefix: '/v3/memories/' });
    expect(await make().search('unknown-user', 'q')).toEqual([]);
    expect(await make().getAll('unknown-user')).toEqual({ memories: [], nextCursor: null });
  });

  it('an add that may have been applied (500, a dropped connection, a timeout) is not retried and not retryable', async () => {
    for (const fault of [{ status: 500 }, { status: 200, hangUp: true }, { status: 200, delayMs: 800 }]) {
      server.injectFaults({ ...fault, pathPrefix: '/v3/memories/add/' });
      const before = server.requests.length;
      const error = await captureError(() => make({ timeoutMs: 200 }).add('maybe-stored', [{ role: 'user', content: 'Once only' }]));
      expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
      expect(error).toMatchObject({ isRetryable: false });
      expect(server.requests.length - before).toBe(1);
      server.clearFaults();
    }
    await make().deleteAll('maybe-stored');
  });

  it('an add Mem0 refused (429 with Retry-After, 503) is retried', async () => {
    server.injectFaults({ status: 429, retryAfter: '0', pathPrefix: '/v3/memories/add/' }, { status: 503, pathPrefix: '/v3/memories/add/' });
    const before = server.requests.length;
    expect(await make().add('refused', [{ role: 'user', content: 'Stored after two refusals' }])).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.requests.slice(before).filter((request) => request.path === '/v3/memories/add/')).toHaveLength(3);
    await make({ readYourWrites: { intervalMs: 10 } }).getAll('refused');
  });

  it('a read is retried after a dropped connection and after 408', async () => {
    server.injectFaults({ status: 200, hangUp: true }, { status: 408 });
    expect(await make().getAll('dropped-user')).toEqual({ memories: [], nextCursor: null });
  });

  it('get of a foreign or unknown id is null and delete of one is MemoryNotFoundError', async () => {
    const provider = make({ readYourWrites: true });
    await provider.add('owner', [{ role: 'user', content: 'Owner only fact' }]);
    const [own] = (await provider.getAll('owner')).memories;
    expect(await provider.get('intruder', own!.id)).toBeNull();
    const error = await captureError(() => provider.delete('intruder', own!.id));
    expect(MemoryNotFoundError.isInstance(error)).toBe(true);
    expect(await provider.get('owner', '00000000-0000-0000-0000-000000000000')).toBeNull();
    expect((await provider.get('owner', own!.id))!.memory).toBe('Owner only fact');
    await provider.deleteAll('owner');
  });

  it('range operators are refused with UnsupportedFilterError before any request', async () => {
    const before = server.requests.length;
    const error = await captureError(() => make().search('u', 'q', { filters: { priority: { gte: 3 } } }));
    expect(UnsupportedFilterError.isInstance(error)).toBe(true);
    expect((error as UnsupportedFilterError).operator).toBe('gte');
    expect(server.requests.length).toBe(before);
  });
});

describe("filters keep the core's semantics on the Mem0 filter grammar", () => {
  const provider = make({ infer: false, readYourWrites: { intervalMs: 10 } });
  const texts = (memories: Array<{ memory: string }>) => memories.map((memory) => memory.memory).sort();
  const both = async (filters: MemoryFilter) => {
    const listed = texts((await provider.getAll('filter-user', { filters })).memories);
    expect(texts(await provider.search('filter-user', 'jazz piano tea tags', { filters, limit: 50, minRelevance: 0 }))).toEqual(listed);
    return listed;
  };

  beforeAll(async () => {
    await provider.add('filter-user', [{ role: 'user', content: 'jazz piano evenings' }], { tags: ['music', 'jazz'], priority: 5 });
    await provider.add('filter-user', [{ role: 'user', content: 'green tea tags' }], { tags: 'musical', priority: '5' });
    await provider.add('filter-user', [{ role: 'user', content: 'no tags piano' }], {});
  });

  it('eq on an array-valued field means "contains"', async () => {
    expect(await both({ tags: 'music' })).toEqual(['jazz piano evenings']);
    expect(await both({ tags: { in: ['jazz', 'blues'] } })).toEqual(['jazz piano evenings']);
  });

  it('eq on a string is whole-value equality, never a substring', async () => {
    expect(await both({ tags: 'musical' })).toEqual(['green tea tags']);
    expect(await both({ tags: 'usic' })).toEqual([]);
  });

  it('numbers never equal strings', async () => {
    expect(await both({ priority: 5 })).toEqual(['jazz piano evenings']);
    expect(await both({ priority: '5' })).toEqual(['green tea tags']);
  });

  it('ne and nin hold when the field is missing, and ne on an array means "does not contain"', async () => {
    expect(await both({ tags: { ne: 'music' } })).toEqual(['green tea tags', 'no tags piano']);
    expect(await both({ tags: { nin: ['jazz', 'musical'] } })).toEqual(['no tags piano']);
    expect(await both({ NOT: { priority: 5 } })).toEqual(['green tea tags', 'no tags piano']);
  });

  it('search keeps asking Mem0 for more until limit memories match', async () => {
    for (let i = 0; i < 6; i++) {
      await provider.add('filter-many', [{ role: 'user', content: `piano fact ${i}` }], { kind: i < 5 ? 'other' : 'wanted' });
    }
    const before = server.requests.length;
    const found = await provider.search('filter-many', 'piano', { limit: 1, filters: { kind: { ne: 'other' } } });
    expect(found.map((memory) => memory.memory)).toEqual(['piano fact 5']);
    expect(server.requests.slice(before).map((request) => (request.body as { top_k?: number }).top_k)).toEqual([1, 4, 16]);
    await provider.deleteAll('filter-many');
  });

  it('scores are in [0, 1] and ties are newest first', async () => {
    const found = await provider.search('filter-user', 'piano');
    expect(found.length).toBeGreaterThan(0);
    for (const memory of found) expect(memory.score).toBeGreaterThanOrEqual(0);
    for (const memory of found) expect(memory.score).toBeLessThanOrEqual(1);
  });
});

describe('infer', () => {
  it('infer: false sends infer: false, declares verbatim storage and keeps each message as given', async () => {
    const provider = make({ infer: false, readYourWrites: { intervalMs: 20 } });
    expect(provider.capabilities.storage).toBe('verbatim');
    expect(make().capabilities.storage).toBe('extracted');
    await provider.add('verbatim-user', [
      { role: 'user', content: 'Exact words: Ünïcødé ✓' },
      { role: 'assistant', content: 'Noted exactly' },
    ]);
    expect(server.requests.filter((request) => request.path === '/v3/memories/add/').at(-1)!.body).toMatchObject({ infer: false });
    const texts = (await provider.getAll('verbatim-user')).memories.map((memory) => memory.memory).sort();
    expect(texts).toEqual(['Exact words: Ünïcødé ✓', 'Noted exactly']);
    await provider.deleteAll('verbatim-user');
  });
});

describe('paging', () => {
  it('getAll reads every Mem0 page (100 each) and pages the result newest first with its own cursor', async () => {
    const stamp = Date.parse('2026-01-01T00:00:00Z');
    // Inserted in shuffled order, so the order comes from the timestamps, not from insertion.
    const order = Array.from({ length: 250 }, (_, i) => (i * 97) % 250);
    for (const i of order) {
      const at = new Date(stamp + i * 1000).toISOString();
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      server.memories.set(id, { id, memory: `Fact ${i}`, user_id: 'pager', metadata: {}, categories: [], created_at: at, updated_at: at });
    }
    const provider = make();
    const before = server.requests.length;
    const first = await provider.getAll('pager', { limit: 120 });
    expect(server.requests.slice(before).map((request) => request.query.page)).toEqual(['1', '2', '3']);
    const second = await provider.getAll('pager', { limit: 120, cursor: first.nextCursor! });
    const third = await provider.getAll('pager', { limit: 120, cursor: second.nextCursor! });
    expect([first, second, third].map((page) => page.memories.length)).toEqual([120, 120, 10]);
    expect(third.nextCursor).toBeNull();
    const texts = [first, second, third].flatMap((page) => page.memories.map((memory) => memory.memory));
    expect(texts).toEqual(Array.from({ length: 250 }, (_, i) => `Fact ${249 - i}`));
    expect(await provider.deleteAll('pager')).toBe(250);
  });

  it('a cursor from elsewhere is a validation error naming options.cursor', async () => {
    const error = await captureError(() => make().getAll('pager', { cursor: 'not-a-cursor' }));
    expect((error as { field?: string }).field).toBe('options.cursor');
  });
});

describe('readYourWrites', () => {
  it('without it an add is not yet searchable; with it the add is searchable when add resolves', async () => {
    const slow = await new Mem0PlatformServer({ apiKey: 'k', processingDelayMs: 300 }).start();
    try {
      const eventual = new Mem0Provider({ apiKey: 'k', baseUrl: slow.url });
      await eventual.add('ryw', [{ role: 'user', content: 'Quince jam is a favourite' }]);
      expect(await eventual.search('ryw', 'quince')).toEqual([]);

      const waiting = new Mem0Provider({ apiKey: 'k', baseUrl: slow.url, readYourWrites: { intervalMs: 20 } });
      await waiting.add('ryw2', [{ role: 'user', content: 'Loquat jam is a favourite' }]);
      expect((await waiting.search('ryw2', 'loquat')).map((memory) => memory.memory)).toEqual(['Loquat jam is a favourite']);
    } finally {
      await slow.stop();
    }
  });

  it('the wait is bounded: past timeoutMs add resolves anyway with the event id (the add was acknowledged)', async () => {
    const slow = await new Mem0PlatformServer({ apiKey: 'k', processingDelayMs: 2_000 }).start();
    try {
      const provider = new Mem0Provider({ apiKey: 'k', baseUrl: slow.url, readYourWrites: { timeoutMs: 150, intervalMs: 30 } });
      const started = performance.now();
      const eventId = await provider.add('ryw3', [{ role: 'user', content: 'Slow fact' }]);
      expect(eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(performance.now() - started).toBeLessThan(1_800);
      expect(slow.requests.filter((request) => request.path.startsWith('/v1/event/')).length).toBeGreaterThan(1);
    } finally {
      await slow.stop();
    }
  });
});
