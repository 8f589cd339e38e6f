import { ZepClient } from '@getzep/zep-cloud';
import { eventually } from '@fastagentic/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZEP_METADATA_KEY, ZepProvider, zepThreadIdFor, zepUserIdFor } from '../src/index.js';
import { startZepTestServer, type CapturedRequest, type ZepTestServer } from './zep-test-server.js';

// @getzep/zep-cloud 3.30's ZepClient and ZepProvider make the same calls against one capturing
// server; every request must match in method, path, query, the headers that matter and body.
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
// Headers fetch adds on its own, or that name the client (the SDK's X-Fern-* and User-Agent).
const CLIENT_HEADERS = /^(host|connection|content-length|user-agent|accept|accept-encoding|accept-language|sec-fetch-mode|x-fern-.*)$/;

let server: ZepTestServer;
let client: ZepClient;
let provider: ZepProvider;
let raw: { user: string; thread: string };
let ours: { user: string; thread: string };

beforeAll(async () => {
  server = await startZepTestServer({ ingestDelayMs: 5 });
  client = new ZepClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
  provider = new ZepProvider({ apiKey: server.apiKey, baseUrl: server.baseUrl });
  const rawUser = await zepUserIdFor('raw');
  const ourUser = await zepUserIdFor('ours');
  raw = { user: rawUser, thread: zepThreadIdFor(rawUser) };
  ours = { user: ourUser, thread: zepThreadIdFor(ourUser) };
});
afterAll(() => server.close());

interface Comparable {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A request with uuids blanked and the SDK's user renamed to ours, so the two can be compared. */
function comparable(request: CapturedRequest): Comparable {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !CLIENT_HEADERS.test(name)));
  const swap = (text: string) => text.replaceAll(raw.user, ours.user).replace(UUID, ':id');
  const body = request.body === undefined ? undefined : JSON.parse(swap(JSON.stringify(request.body)));
  return { method: request.method, path: swap(request.path), headers, body };
}

async function capture(run: () => Promise<unknown>): Promise<CapturedRequest[]> {
  const before = server.requests.length;
  await run();
  return server.requests.slice(before);
}

async function expectSameWire(sdk: () => Promise<unknown>, adapter: () => Promise<unknown>): Promise<CapturedRequest[]> {
  const expected = await capture(sdk);
  const actual = await capture(adapter);
  expect(expected.length).toBeGreaterThan(0);
  expect(actual.map(comparable)).toEqual(expected.map(comparable));
  return actual;
}

async function factIds(zepUser: string, count: number): Promise<string[]> {
  return eventually(async () => {
    const edges = await client.graph.edge.getByUserId(zepUser, { limit: 100 });
    expect(edges).toHaveLength(count);
    return edges.map((edge) => edge.uuid);
  });
}

const message = { role: 'user' as const, content: 'Likes figs and olives', name: 'Ana' };
const metadata = { category: 'food' };
const sdkMessage = { ...message, metadata: { [ZEP_METADATA_KEY]: JSON.stringify(metadata) } };

describe('the wire: ZepProvider sends what @getzep/zep-cloud 3.30 ZepClient sends', () => {
  it('the first add of a user: 404, create user and thread, send again', async () => {
    const sent = await expectSameWire(
      async () => {
        try {
          await client.thread.addMessages(raw.thread, { messages: [sdkMessage] });
        } catch {
          await client.user.add({ userId: raw.user });
          await client.thread.create({ threadId: raw.thread, userId: raw.user });
          await client.thread.addMessages(raw.thread, { messages: [sdkMessage] });
        }
      },
      () => provider.add('ours', [message], metadata),
    );
    expect(sent).toHaveLength(4);
    expect(sent[0]!.headers).toMatchObject({ authorization: `Api-Key ${server.apiKey}`, 'content-type': 'application/json' });
  });

  it('a later add', async () => {
    const second = { role: 'user' as const, content: 'Runs on Sundays' };
    await expectSameWire(
      () => client.thread.addMessages(raw.thread, { messages: [second] }),
      () => provider.add('ours', [second]),
    );
  });

  it('search', async () => {
    await factIds(raw.user, 2);
    await factIds(ours.user, 2);
    const [sent] = await expectSameWire(
      () => client.graph.search({ userId: raw.user, query: 'figs', scope: 'edges', limit: 10, reranker: 'cross_encoder' }),
      () => provider.search('ours', 'figs'),
    );
    expect(sent!.path).toBe('/api/v2/graph/search');
  });

  it('search with a filter: the thread messages, then a search restricted to their episodes', async () => {
    const fresh = new ZepProvider({ apiKey: server.apiKey, baseUrl: server.baseUrl });
    await expectSameWire(
      async () => {
        const { messages } = await client.thread.get(raw.thread, { limit: 100, cursor: 1 });
        const episodeUuids = messages!.filter((item) => item.metadata?.[ZEP_METADATA_KEY] !== undefined).map((item) => item.uuid!);
        await client.graph.search({
          userId: raw.user,
          query: 'figs',
          scope: 'edges',
          limit: 10,
          reranker: 'cross_encoder',
          searchFilters: { episodeUuids },
        });
      },
      () => fresh.search('ours', 'figs', { filters: { category: 'food' } }),
    );
  });

  it('getAll', async () => {
    await expectSameWire(
      () => client.graph.edge.getByUserId(raw.user, { limit: 100 }),
      () => provider.getAll('ours'),
    );
  });

  it('get, and delete of one fact (each checks ownership first)', async () => {
    const [rawId] = await factIds(raw.user, 2);
    const [ourId] = await factIds(ours.user, 2);
    await expectSameWire(
      () => client.graph.edge.getByUserId(raw.user, { limit: 1, filters: { edgeUuids: [rawId!] } }),
      () => provider.get('ours', ourId!),
    );
    await expectSameWire(
      async () => {
        await client.graph.edge.getByUserId(raw.user, { limit: 1, filters: { edgeUuids: [rawId!] } });
        await client.graph.edge.delete(rawId!);
      },
      () => provider.delete('ours', ourId!),
    );
  });

  it('summary, context block and task status', async () => {
    await expectSameWire(() => client.thread.getSummary(raw.thread), () => provider.getSummary('ours'));
    await expectSameWire(() => client.thread.getUserContext(raw.thread), () => provider.getContextBlock('ours'));
    const waiting = new ZepProvider({ apiKey: server.apiKey, baseUrl: server.baseUrl, readYourWrites: { intervalMs: 5 } });
    const later = { role: 'user' as const, content: 'Reads at night' };
    // readYourWrites: the add, then task reads until Zep has ingested it.
    const sent = await capture(() => waiting.add('ours', [later]));
    expect(sent[0]!.method).toBe('POST');
    expect(sent.length).toBeGreaterThan(1);
    for (const poll of sent.slice(2)) expect(poll.path).toBe(sent[1]!.path);
    const { taskId } = await client.thread.addMessages(raw.thread, { messages: [later] });
    const sdkTask = await capture(() => client.task.get(taskId!));
    expect(comparable(sent[1]!)).toEqual(comparable(sdkTask[0]!));
  });

  it('deleteAll: the listing for the count, then the user', async () => {
    await factIds(raw.user, 2);
    await factIds(ours.user, 2);
    await expectSameWire(
      async () => {
        await client.graph.edge.getByUserId(raw.user, { limit: 100 });
        await client.user.delete(raw.user);
      },
      () => provider.deleteAll('ours'),
    );
  });
});
