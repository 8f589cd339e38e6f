import { MemoryClient } from 'mem0ai';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { MEM0_CLIENT_HEADER } from '../src/mem0-provider.js';
import { Mem0Provider } from '../src/index.js';
import { Mem0PlatformServer, type RecordedRequest } from './mem0-platform-server.js';

// mem0ai 3.3.1's MemoryClient and Mem0Provider make the same calls against one capturing server;
// every request must match in method, path, query, the headers that matter and body.
const server = new Mem0PlatformServer({ apiKey: 'wire-key', orgId: 'org-w', projectId: 'proj-w', processingDelayMs: 5 });
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
// Headers fetch adds on its own, or that name the client: compared apart below.
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-length', 'x-mem0-client', 'mem0-user-id']);

await server.start();
afterAll(() => server.stop());

interface Comparable {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, unknown>;
  body: unknown;
}

function comparable(request: RecordedRequest): Comparable {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
  return { method: request.method, path: request.path.replace(UUID, ':id'), query: request.query, headers, body: request.body };
}

/** The requests `run` sends, without mem0ai's background identity ping. */
async function capture(run: () => Promise<unknown>): Promise<RecordedRequest[]> {
  const before = server.requests.length;
  await run();
  return server.requests.slice(before).filter((request) => request.path !== '/v1/ping/');
}

async function visible(userId: string, count: number): Promise<string[]> {
  return vi.waitFor(() => {
    const ids = [...server.memories.values()].filter((memory) => memory.user_id === userId).map((memory) => memory.id);
    expect(ids).toHaveLength(count);
    return ids;
  });
}

describe('the wire: Mem0Provider sends what mem0ai 3.3.1 MemoryClient sends', () => {
  const client = new MemoryClient({ apiKey: 'wire-key', host: server.url });
  const provider = new Mem0Provider({ apiKey: 'wire-key', baseUrl: server.url });
  const scopedClientOptions = { orgId: 'org-w', projectId: 'proj-w' };
  const scopedProvider = new Mem0Provider({ apiKey: 'wire-key', baseUrl: server.url, ...scopedClientOptions });
  const verbatim = new Mem0Provider({ apiKey: 'wire-key', baseUrl: server.url, infer: false });
  const figs = [{ role: 'user' as const, content: 'Likes figs and olives' }];
  const userFilter = (userId: string) => ({ AND: [{ user_id: userId }] });
  const pairs: Array<[string, () => Promise<unknown>, () => Promise<unknown>]> = [
    [
      'add with metadata',
      () => client.add(figs, { userId: 'raw', metadata: { category: 'food' } }),
      () => provider.add('ours', figs, { category: 'food' }),
    ],
    ['add, verbatim', () => client.add(figs, { userId: 'raw', metadata: {}, infer: false }), () => verbatim.add('ours', figs)],
    [
      'add with org and project',
      () => client.add(figs, { userId: 'raw', metadata: {}, ...scopedClientOptions }),
      () => scopedProvider.add('ours', figs),
    ],
    [
      'search with a filter',
      () =>
        client.search('figs', {
          topK: 4,
          filters: {
            AND: [
              { user_id: 'raw' },
              { OR: [{ categories: { in: ['food'] } }, { metadata: { category: 'food' } }, { metadata: { categories: { contains: 'food' } } }] },
            ],
          },
        }),
      () => provider.search('ours', 'figs', { limit: 4, filters: { categories: 'food' } }),
    ],
    [
      'search with a floor',
      () => client.search('figs', { topK: 10, threshold: 0.2, filters: userFilter('raw') }),
      () => provider.search('ours', 'figs', { minRelevance: 0.2 }),
    ],
    [
      'search with org and project',
      () => client.search('figs', { topK: 10, filters: userFilter('raw'), ...scopedClientOptions }),
      () => scopedProvider.search('ours', 'figs'),
    ],
    [
      'list',
      () => client.getAll({ filters: userFilter('raw'), page: 1, pageSize: 100 }),
      () => provider.getAll('ours'),
    ],
    [
      'list with org and project',
      () => client.getAll({ filters: userFilter('raw'), page: 1, pageSize: 100, ...scopedClientOptions }),
      () => scopedProvider.getAll('ours'),
    ],
  ];

  for (const [name, raw, ours] of pairs) {
    it(name, async () => {
      const [expected, actual] = [await capture(raw), await capture(ours)];
      expect(expected.length).toBeGreaterThan(0);
      expect(actual.map(comparable)).toEqual(expected.map(comparable).map((request) => ({ ...request, ...renamed(request) })));
      for (const request of actual) expect(request.headers['x-mem0-client']).toBe(MEM0_CLIENT_HEADER);
      for (const request of expected) expect(request.headers['x-mem0-client']).toMatch(/^mem0-js\/3\.3\.1/);
    });
  }

  it('get and delete of one memory, and delete-all', async () => {
    const [rawId] = await visible('raw', 3);
    const [ourId] = await visible('ours', 3);
    // The provider reads the memory first (ownership), then deletes it by id.
    const rawGetDelete = await capture(async () => {
      await client.get(rawId!);
      await client.delete(rawId!);
    });
    const ourGetDelete = await capture(() => provider.delete('ours', ourId!));
    expect(ourGetDelete.map(comparable)).toEqual(rawGetDelete.map(comparable));

    // deleteAll: one listing for the count, then Mem0's delete-all.
    const rawDeleteAll = await capture(async () => {
      await client.getAll({ filters: userFilter('raw'), page: 1, pageSize: 1 });
      await client.deleteAll({ userId: 'raw' });
    });
    const ourDeleteAll = await capture(async () => expect(await provider.deleteAll('ours')).toBe(2));
    expect(ourDeleteAll.map(comparable)).toEqual(rawDeleteAll.map(comparable).map((request) => ({ ...request, ...renamed(request) })));
    expect(ourDeleteAll.at(-1)).toMatchObject({ method: 'DELETE', path: '/v1/memories/', query: { user_id: 'ours' } });
  });

  it('sends no mem0ai identity header and nothing the caller did not ask for', async () => {
    const sent = await capture(() => provider.search('ours', 'anything'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers['mem0-user-id']).toBeUndefined();
    expect(sent[0]!.headers.authorization).toBe('Token wire-key');
    expect(sent[0]!.headers['content-type']).toBe('application/json');
  });
});

/** The same request for user `ours` in place of `raw`. */
function renamed(request: Comparable): Partial<Comparable> {
  const swap = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null).replaceAll('"raw"', '"ours"'));
  return { body: request.body === undefined ? undefined : swap(request.body), query: swap(request.query) as Record<string, string> };
}
