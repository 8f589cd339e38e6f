import {
  injectMemory,
  MemoryConfigurationError,
  MemoryNotFoundError,
  ProviderUnavailableError,
  type Memory,
} from '@fastagentic/memory';
import { eventually, HOSTILE_USER_IDS } from '@fastagentic/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ZEP_METADATA_KEY, ZEP_SUMMARY_MEMORY_ID, ZepProvider, zepThreadIdFor, zepUserIdFor, type ZepProviderOptions } from '../src/index.js';
import { startZepTestServer, type ZepTestServer } from './zep-test-server.js';

let server: ZepTestServer;
let userCounter = 0;
const freshUser = () => `behaviour-user-${++userCounter}`;

beforeAll(async () => {
  server = await startZepTestServer({ ingestDelayMs: 30 });
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

function providerWith(options: ZepProviderOptions = {}): ZepProvider {
  return new ZepProvider({ apiKey: server.apiKey, baseUrl: server.baseUrl, retry: { baseDelayMs: 1, maxDelayMs: 5 }, ...options });
}

async function factsOf(provider: ZepProvider, userId: string, count: number): Promise<Memory[]> {
  return eventually(async () => {
    const { memories } = await provider.getAll(userId);
    expect(memories.length).toBe(count);
    return memories;
  });
}

async function captureError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('configuration', () => {
  it('a missing API key is a MemoryConfigurationError naming apiKey, at construction', () => {
    const saved = process.env.ZEP_API_KEY;
    delete process.env.ZEP_API_KEY;
    try {
      const error = (() => {
        try {
          new ZepProvider({ baseUrl: server.baseUrl });
        } catch (caught) {
          return caught;
        }
      })();
      expect(MemoryConfigurationError.isInstance(error)).toBe(true);
      expect((error as MemoryConfigurationError).option).toBe('apiKey');
    } finally {
      if (saved !== undefined) process.env.ZEP_API_KEY = saved;
    }
  });

  it('reads ZEP_API_KEY from the environment and sends it as Authorization: Api-Key', async () => {
    const saved = process.env.ZEP_API_KEY;
    process.env.ZEP_API_KEY = server.apiKey;
    try {
      const provider = new ZepProvider({ baseUrl: server.baseUrl });
      expect(await provider.getAll(freshUser())).toEqual({ memories: [], nextCursor: null });
      expect(server.requests.map((request) => request.authorization)).toEqual([`Api-Key ${server.apiKey}`]);
    } finally {
      if (saved === undefined) delete process.env.ZEP_API_KEY;
      else process.env.ZEP_API_KEY = saved;
    }
  });

  it('rejects bad options naming them', () => {
    const cases: Array<[ZepProviderOptions, string]> = [
      [{ baseUrl: 'not a url' }, 'baseUrl'],
      [{ namespace: 'has space' }, 'namespace'],
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ retry: { maxRetries: -1 } }, 'retry.maxRetries'],
      [{ readYourWrites: { timeoutMs: -5 } }, 'readYourWrites.timeoutMs'],
    ];
    for (const [options, option] of cases) {
      expect(() => providerWith(options)).toThrowError(expect.objectContaining({ option }));
    }
  });

  it('a rejected key is a MemoryConfigurationError and is not retried', async () => {
    const provider = new ZepProvider({ apiKey: 'wrong-key', baseUrl: server.baseUrl });
    const error = await captureError(() => provider.search(freshUser(), 'anything'));
    expect(MemoryConfigurationError.isInstance(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });
});

describe('wire protocol, as @getzep/zep-cloud sends it', () => {
  it('the first add creates the Zep user and thread after a 404; later adds are one call', async () => {
    const provider = providerWith();
    const userId = freshUser();
    const zepUser = await zepUserIdFor(userId);
    const thread = zepThreadIdFor(zepUser);
    await provider.add(userId, [{ role: 'user', content: 'Likes oolong tea', name: 'Ana' }], { category: 'drinks' });
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `POST /api/v2/threads/${thread}/messages`,
      'POST /api/v2/users',
      'POST /api/v2/threads',
      `POST /api/v2/threads/${thread}/messages`,
    ]);
    expect(server.requests[1]!.body).toEqual({ user_id: zepUser });
    expect(server.requests[2]!.body).toEqual({ thread_id: thread, user_id: zepUser });
    expect(server.requests[3]!.body).toEqual({
      messages: [
        { role: 'user', content: 'Likes oolong tea', name: 'Ana', metadata: { [ZEP_METADATA_KEY]: '{"category":"drinks"}' } },
      ],
    });
    server.requests.length = 0;
    await provider.add(userId, [{ role: 'user', content: 'Likes jasmine tea' }]);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`POST /api/v2/threads/${thread}/messages`]);
  });

  it('concurrent first adds of one user create the user and thread once', async () => {
    const provider = providerWith();
    const userId = freshUser();
    await Promise.all(Array.from({ length: 6 }, (_, i) => provider.add(userId, [{ role: 'user', content: `Parallel ${i}` }])));
    const creates = server.requests.filter((request) => request.method === 'POST' && /\/(users|threads)$/.test(request.path));
    expect(creates.map((request) => request.path)).toEqual(['/api/v2/users', '/api/v2/threads']);
    await factsOf(provider, userId, 6);
  });

  it('search is one graph search over edges with the cross-encoder reranker; a filter becomes episode_uuids', async () => {
    const provider = providerWith();
    const userId = freshUser();
    const zepUser = await zepUserIdFor(userId);
    await provider.add(userId, [{ role: 'user', content: 'Runs marathons in spring' }], { category: 'sport' });
    await provider.add(userId, [{ role: 'user', content: 'Runs a bakery downtown' }], { category: 'work' });
    await factsOf(provider, userId, 2);
    server.requests.length = 0;
    const found = await provider.search(userId, 'runs marathons', { limit: 5 });
    expect(found[0]!.memory).toBe('Runs marathons in spring');
    expect(server.requests.map((request) => [request.method, request.path, request.body])).toEqual([
      ['POST', '/api/v2/graph/search', { user_id: zepUser, query: 'runs marathons', scope: 'edges', limit: 5, reranker: 'cross_encoder' }],
    ]);
    server.requests.length = 0;
    const filtered = await provider.search(userId, 'runs', { filters: { category: 'work' } });
    expect(filtered.map((memory) => memory.memory)).toEqual(['Runs a bakery downtown']);
    const search = server.requests.find((request) => request.path === '/api/v2/graph/search')!;
    expect((search.body as { search_filters: { episode_uuids: string[] } }).search_filters.episode_uuids).toHaveLength(1);
  });

  it('deleteAll deletes the Zep user in one call and returns how many facts it held', async () => {
    const provider = providerWith();
    const userId = freshUser();
    const zepUser = await zepUserIdFor(userId);
    for (const content of ['Fact one', 'Fact two', 'Fact three']) await provider.add(userId, [{ role: 'user', content }]);
    await factsOf(provider, userId, 3);
    server.requests.length = 0;
    expect(await provider.deleteAll(userId)).toBe(3);
    expect(server.requests.filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual([
      `/api/v2/users/${zepUser}`,
    ]);
    expect(await provider.getAll(userId)).toEqual({ memories: [], nextCursor: null });
    await provider.add(userId, [{ role: 'user', content: 'Back again' }]);
    await factsOf(provider, userId, 1);
  });

  it('getAll pages through Zep-Next-Cursor to see every fact', async () => {
    const provider = providerWith();
    const userId = freshUser();
    for (const [from, count] of [[0, 60], [60, 41]] as const) {
      await provider.add(
        userId,
        Array.from({ length: count }, (_, i) => ({ role: 'user' as const, content: `Bulk fact ${from + i}` })),
      );
    }
    await eventually(async () => expect((await provider.getAll(userId, { limit: 1000 })).memories).toHaveLength(101));
    server.requests.length = 0;
    const all = await provider.getAll(userId, { limit: 1000 });
    expect(new Set(all.memories.map((memory) => memory.memory)).size).toBe(101);
    expect(server.requests.filter((request) => request.path.includes('/graph/edge/user/'))).toHaveLength(2);
  });

  it('delete checks ownership before Zep deletes by uuid', async () => {
    const provider = providerWith();
    const owner = freshUser();
    const other = freshUser();
    await provider.add(owner, [{ role: 'user', content: 'Owner fact' }]);
    await provider.add(other, [{ role: 'user', content: 'Other fact' }]);
    const [fact] = await factsOf(provider, owner, 1);
    await factsOf(provider, other, 1);
    server.requests.length = 0;
    expect(MemoryNotFoundError.isInstance(await captureError(() => provider.delete(other, fact!.id)))).toBe(true);
    expect(server.requests.some((request) => request.method === 'DELETE')).toBe(false);
    expect(await provider.get(owner, fact!.id)).not.toBeNull();
    await provider.delete(owner, fact!.id);
    expect(await provider.get(owner, fact!.id)).toBeNull();
  });
});

describe('metadata', () => {
  it('round-trips metadata Zep could not hold as message metadata (more than 10 keys, nested values)', async () => {
    const provider = providerWith();
    const userId = freshUser();
    const metadata = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`key${i}`, { nested: [i, `v${i}`] }]));
    await provider.add(userId, [{ role: 'user', content: 'Metadata heavy fact' }], { ...metadata, category: 'bulk' });
    const [memory] = await factsOf(provider, userId, 1);
    expect(memory!.metadata).toEqual({ ...metadata, category: 'bulk' });
    expect(memory!.categories).toEqual(['bulk']);
  });

  it('another process (no cache) reads the metadata back from the thread messages', async () => {
    const writer = providerWith();
    const userId = freshUser();
    await writer.add(userId, [{ role: 'user', content: 'Written elsewhere' }], { source: 'writer', priority: 2 });
    await factsOf(writer, userId, 1);
    const reader = providerWith();
    const [memory] = await reader.search(userId, 'written elsewhere');
    expect(memory!.metadata).toEqual({ source: 'writer', priority: 2 });
    expect(server.requests.some((request) => request.path.includes('/messages?limit=100&cursor=1'))).toBe(true);
  });
});

describe('invalidated facts', () => {
  it('facts Zep invalidated are hidden from search, getAll and get unless includeInvalidated', async () => {
    const provider = providerWith();
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Lives in Berlin' }]);
    const [berlin] = await factsOf(provider, userId, 1);
    await provider.add(userId, [{ role: 'user', content: 'Lives in Lisbon now' }]);
    await factsOf(provider, userId, 2);
    server.invalidate(berlin!.id);
    expect((await provider.getAll(userId)).memories.map((memory) => memory.memory)).toEqual(['Lives in Lisbon now']);
    expect((await provider.search(userId, 'lives Berlin')).map((memory) => memory.memory)).toEqual(['Lives in Lisbon now']);
    expect(await provider.get(userId, berlin!.id)).toBeNull();
    const everything = providerWith({ includeInvalidated: true });
    expect((await everything.getAll(userId)).memories).toHaveLength(2);
    expect((await everything.get(userId, berlin!.id))?.memory).toBe('Lives in Berlin');
    // Deleting still reaches it: forgetting must not depend on Zep's view of truth.
    await provider.delete(userId, berlin!.id);
    expect((await everything.getAll(userId)).memories).toHaveLength(1);
  });
});

describe('hostile user ids', () => {
  it('map to distinct, deterministic Zep ids within Zep’s charset and length', async () => {
    const mapped = await Promise.all(HOSTILE_USER_IDS.map((userId) => zepUserIdFor(userId)));
    expect(new Set(mapped).size).toBe(HOSTILE_USER_IDS.length);
    for (const id of mapped) expect(id).toMatch(/^[A-Za-z0-9_-]{1,128}$/);
    expect(await Promise.all(HOSTILE_USER_IDS.map((userId) => zepUserIdFor(userId)))).toEqual(mapped);
    expect(await zepUserIdFor('a', 'app-one')).not.toBe(await zepUserIdFor('a', 'app-two'));
    // A namespaced id never equals an id without one: `u` + `x` is not the plain user `u_x`.
    expect(await zepUserIdFor('x', 'u')).not.toBe(await zepUserIdFor('u_x'));
    expect(await zepUserIdFor('x'.repeat(512), 'a'.repeat(16))).toMatch(/^[A-Za-z0-9_-]{1,109}$/);
  });
});

describe('retries and errors', () => {
  it('a burst of 429 and 5xx is retried within the bound', async () => {
    const provider = providerWith();
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Survives a burst' }]);
    await factsOf(provider, userId, 1);
    server.requests.length = 0;
    server.failNext(429, 503, 502);
    expect((await provider.search(userId, 'burst'))[0]!.memory).toBe('Survives a burst');
    expect(server.requests).toHaveLength(4);
  });

  it('past the bound the failure is a retryable ProviderUnavailableError with the status', async () => {
    const provider = providerWith({ retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    server.failNext(503, 503, 503, 503);
    const error = await captureError(() => provider.getAll(freshUser()));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(true);
    expect((error as ProviderUnavailableError).statusCode).toBe(503);
    expect(server.requests).toHaveLength(3);
    server.failNext();
    await provider.getAll(freshUser());
  });

  it('retry.maxRetries 0 means one request', async () => {
    const provider = providerWith({ retry: { maxRetries: 0 } });
    server.failNext(429);
    const error = await captureError(() => provider.search(freshUser(), 'once'));
    expect((error as ProviderUnavailableError).statusCode).toBe(429);
    expect(server.requests).toHaveLength(1);
  });

  it('an abort during the backoff stops the retries at once', async () => {
    const provider = providerWith({ retry: { maxRetries: 3, baseDelayMs: 10_000, maxDelayMs: 10_000 } });
    server.failNext(503);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const started = Date.now();
    const error = await captureError(() => provider.getAll(freshUser(), { signal: controller.signal }));
    expect((error as Error).message).toBe('caller gave up');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(server.requests).toHaveLength(1);
  });

  it('an add that fails with 500 is not retried and is thrown as not retryable, since Zep may have stored it', async () => {
    const provider = providerWith();
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Exists first' }]);
    server.requests.length = 0;
    server.failNext(500);
    const error = await captureError(() => provider.add(userId, [{ role: 'user', content: 'Maybe stored' }]));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).statusCode).toBe(500);
    expect((error as ProviderUnavailableError).isRetryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('an add whose connection drops after Zep applied it is not retried: stored once, thrown as not retryable', async () => {
    const provider = providerWith();
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Exists first' }]);
    await factsOf(provider, userId, 1);
    server.requests.length = 0;
    server.dropNextAnswer();
    const error = await captureError(() => provider.add(userId, [{ role: 'user', content: 'Applied, answer lost' }]));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect((await factsOf(provider, userId, 2)).filter((memory) => memory.memory === 'Applied, answer lost')).toHaveLength(1);
  });

  it('an add that times out after Zep applied it is not retried: thrown as not retryable, naming timeoutMs', async () => {
    const provider = providerWith({ timeoutMs: 100 });
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Exists first' }]);
    await factsOf(provider, userId, 1);
    server.requests.length = 0;
    server.delayNextAnswer(600);
    const error = await captureError(() => provider.add(userId, [{ role: 'user', content: 'Applied, answer late' }]));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(false);
    expect((error as Error).message).toContain('timeoutMs');
    expect(server.requests).toHaveLength(1);
    expect((await factsOf(provider, userId, 2)).filter((memory) => memory.memory === 'Applied, answer late')).toHaveLength(1);
  });

  it('an add answered 429 or 503 is retried: Zep said it did not apply it', async () => {
    const provider = providerWith();
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Exists first' }]);
    server.requests.length = 0;
    server.failNext(429, 503);
    await provider.add(userId, [{ role: 'user', content: 'Third time lucky' }]);
    expect(server.requests).toHaveLength(3);
    await factsOf(provider, userId, 2);
  });

  it('a read whose connection drops is retried', async () => {
    const provider = providerWith();
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Read twice' }]);
    await factsOf(provider, userId, 1);
    server.requests.length = 0;
    server.dropNextAnswer();
    expect((await provider.getAll(userId)).memories.map((memory) => memory.memory)).toEqual(['Read twice']);
    expect(server.requests).toHaveLength(2);
  });

  it('403 is a MemoryConfigurationError naming apiKey, not retried', async () => {
    const provider = providerWith();
    server.failNext(403);
    const error = await captureError(() => provider.getAll(freshUser()));
    expect(MemoryConfigurationError.isInstance(error)).toBe(true);
    expect((error as MemoryConfigurationError).option).toBe('apiKey');
    expect(server.requests).toHaveLength(1);
  });

  it('another 4xx (content Zep rejects) is a non-retryable ProviderUnavailableError with the status', async () => {
    const provider = providerWith();
    server.failNext(422);
    const error = await captureError(() => provider.search(freshUser(), 'anything'));
    expect(ProviderUnavailableError.isInstance(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(false);
    expect((error as ProviderUnavailableError).statusCode).toBe(422);
    expect(server.requests).toHaveLength(1);
  });
});

describe('a user Zep does not know, answered with 404 or with 400 "not found"', () => {
  for (const notFoundStatus of [404, 400] as const) {
    it(`HTTP ${notFoundStatus}: empty page, no results, null, not found, 0 — and the first add creates the user`, async () => {
      const zep = await startZepTestServer({ ingestDelayMs: 5, notFoundStatus });
      try {
        const provider = new ZepProvider({ apiKey: zep.apiKey, baseUrl: zep.baseUrl });
        const userId = freshUser();
        expect(await provider.getAll(userId)).toEqual({ memories: [], nextCursor: null });
        expect(await provider.search(userId, 'anything')).toEqual([]);
        expect(await provider.search(userId, 'anything', { filters: { category: 'x' } })).toEqual([]);
        expect(await provider.get(userId, crypto.randomUUID())).toBeNull();
        expect(MemoryNotFoundError.isInstance(await captureError(() => provider.delete(userId, crypto.randomUUID())))).toBe(true);
        expect(await provider.getContextBlock(userId)).toBe('');
        expect(await provider.getSummary(userId)).toBeNull();
        expect(await provider.deleteAll(userId)).toBe(0);
        const answered = zep.requests.filter((request) => request.path.includes('/graph/'));
        expect(answered.length).toBeGreaterThan(0);
        await provider.add(userId, [{ role: 'user', content: 'Known at last' }]);
        await eventually(async () => expect((await provider.getAll(userId)).memories).toHaveLength(1));
        // A user deleted (forgotten) meanwhile lists empty again.
        expect(await provider.deleteAll(userId)).toBe(1);
        expect(await provider.getAll(userId)).toEqual({ memories: [], nextCursor: null });
      } finally {
        await zep.close();
      }
    });
  }
});

describe('asynchronous ingestion', () => {
  it('readYourWrites waits for Zep’s task, so the fact is readable when add resolves', async () => {
    const slow = await startZepTestServer({ ingestDelayMs: 150 });
    try {
      const provider = new ZepProvider({ apiKey: slow.apiKey, baseUrl: slow.baseUrl, readYourWrites: { intervalMs: 20 } });
      const userId = freshUser();
      const taskId = await provider.add(userId, [{ role: 'user', content: 'Visible at once' }]);
      expect(slow.requests.some((request) => request.path === `/api/v2/tasks/${taskId}`)).toBe(true);
      expect((await provider.getAll(userId)).memories.map((memory) => memory.memory)).toEqual(['Visible at once']);
    } finally {
      await slow.close();
    }
  });

  it('without it, add resolves before Zep has extracted the fact', async () => {
    const slow = await startZepTestServer({ ingestDelayMs: 150 });
    try {
      const provider = new ZepProvider({ apiKey: slow.apiKey, baseUrl: slow.baseUrl });
      const userId = freshUser();
      await provider.add(userId, [{ role: 'user', content: 'Visible later' }]);
      expect((await provider.getAll(userId)).memories).toEqual([]);
    } finally {
      await slow.close();
    }
  });

  it('a failed ingestion task is a non-retryable ProviderUnavailableError', async () => {
    const provider = providerWith({ readYourWrites: { intervalMs: 10 } });
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Creates the thread' }]);
    server.failIngestion(true);
    try {
      const error = await captureError(() => provider.add(userId, [{ role: 'user', content: 'Never extracted' }]));
      expect(ProviderUnavailableError.isInstance(error)).toBe(true);
      expect((error as ProviderUnavailableError).isRetryable).toBe(false);
      expect((error as Error).message).toContain('fact extraction failed');
    } finally {
      server.failIngestion(false);
    }
  });

  it('the wait is bounded: past timeoutMs add resolves while Zep is still working', async () => {
    const slow = await startZepTestServer({ ingestDelayMs: 2_000 });
    try {
      const provider = new ZepProvider({
        apiKey: slow.apiKey,
        baseUrl: slow.baseUrl,
        readYourWrites: { timeoutMs: 100, intervalMs: 20 },
      });
      const started = Date.now();
      await provider.add(freshUser(), [{ role: 'user', content: 'Slow to ingest' }]);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await slow.close();
    }
  });

  it('when Zep cannot tell the task status, the acknowledged add resolves: no duplicate on a caller retry', async () => {
    const provider = providerWith({ readYourWrites: { intervalMs: 10 }, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 } });
    const userId = freshUser();
    await provider.add(userId, [{ role: 'user', content: 'Creates the thread' }]);
    server.requests.length = 0;
    server.failNextTo('/tasks/', 503, 503);
    const taskId = await provider.add(userId, [{ role: 'user', content: 'Stored, status unknown' }]);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `POST /api/v2/threads/${zepThreadIdFor(await zepUserIdFor(userId))}/messages`,
      `GET /api/v2/tasks/${taskId}`,
      `GET /api/v2/tasks/${taskId}`,
    ]);
    await factsOf(provider, userId, 2);
  });
});

describe('Zep context block', () => {
  it('getContextBlock returns Zep’s context for the user’s thread, empty for an unknown user', async () => {
    const provider = providerWith();
    const userId = freshUser();
    expect(await provider.getContextBlock(userId)).toBe('');
    await provider.add(userId, [{ role: 'user', content: 'Collects vinyl records' }]);
    await factsOf(provider, userId, 1);
    server.requests.length = 0;
    expect(await provider.getContextBlock(userId)).toContain('Collects vinyl records');
    const thread = zepThreadIdFor(await zepUserIdFor(userId));
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET /api/v2/threads/${thread}/context`]);
  });
});

describe('autoSummarize', () => {
  it('puts Zep’s thread summary first, as a `summary` memory, for the recent strategy', async () => {
    const provider = providerWith({ autoSummarize: true });
    const userId = freshUser();
    expect(await provider.getSummary(userId)).toBeNull();
    await provider.add(userId, [{ role: 'user', content: 'Moved to Porto' }]);
    await provider.add(userId, [{ role: 'user', content: 'Adopted a cat' }]);
    const page = await eventually(async () => {
      const first = await provider.getAll(userId);
      expect(first.memories).toHaveLength(3);
      return first;
    });
    expect(page.memories[0]).toMatchObject({ id: ZEP_SUMMARY_MEMORY_ID, categories: ['summary'] });
    expect(page.memories[0]!.memory).toContain('Porto');
    expect(await provider.get(userId, ZEP_SUMMARY_MEMORY_ID)).toEqual(page.memories[0]);

    const recent = await injectMemory({ strategy: 'recent', maxMemories: 2, timeWindowHours: 1 })(provider, { userId });
    expect(recent.memories.map((memory) => memory.id)[0]).toBe(ZEP_SUMMARY_MEMORY_ID);
    expect(recent.context).toContain('The user said');

    // The summary takes a slot of the first page only; the cursor still reaches every fact.
    const first = await provider.getAll(userId, { limit: 1 });
    expect(first.memories.map((memory) => memory.id)).toEqual([ZEP_SUMMARY_MEMORY_ID]);
    const second = await provider.getAll(userId, { limit: 2, cursor: first.nextCursor! });
    expect(second.memories.map((memory) => memory.memory)).toEqual(['Adopted a cat', 'Moved to Porto']);
    expect(second.nextCursor).toBeNull();
    const summariesOnly = await provider.getAll(userId, { filters: { categories: { contains: 'summary' } } });
    expect(summariesOnly.memories.map((memory) => memory.id)).toEqual([ZEP_SUMMARY_MEMORY_ID]);
  });
});
