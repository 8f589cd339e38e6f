import { MemoryClient } from 'mem0ai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Mem0Provider } from '../src/index.js';
import { Mem0PlatformServer, type RecordedRequest } from './mem0-platform-server.js';

const server = new Mem0PlatformServer({ apiKey: 'wire-key' });

beforeAll(async () => {
  await server.start();
});
afterAll(() => server.stop());

function last(method: string, path: string): RecordedRequest {
  const found = server.requests.filter((request) => request.method === method && request.path === path).at(-1);
  expect(found, `${method} ${path} was sent`).toBeDefined();
  return found!;
}

describe('the wire, as mem0ai 3.3.1 sends it', () => {
  it('raw MemoryClient requests are the ones the local server implements', async () => {
    const client = new MemoryClient({ apiKey: 'wire-key', host: server.url });
    await client.ping();
    expect(last('GET', '/v1/ping/').headers.authorization).toBe('Token wire-key');

    const added = (await client.add([{ role: 'user', content: 'Raw client likes olives' }], {
      userId: 'raw-user',
      metadata: { category: 'food' },
    })) as unknown as { eventId: string; status: string };
    expect(added.status).toBe('PENDING');
    expect(last('POST', '/v3/memories/add/').body).toEqual({
      messages: [{ role: 'user', content: 'Raw client likes olives' }],
      user_id: 'raw-user',
      metadata: { category: 'food' },
    });

    type Found = { results: Array<{ memory: string; userId: string }> };
    const found = await vi.waitFor(async () => {
      const answer = (await client.search('olives', { filters: { user_id: 'raw-user' }, topK: 3 })) as unknown as Found;
      expect(answer.results).toHaveLength(1);
      return answer;
    });
    expect(found.results[0]).toMatchObject({ memory: 'Raw client likes olives', userId: 'raw-user' });
    expect(last('POST', '/v3/memories/search/').body).toEqual({
      query: 'olives',
      output_format: 'v1.1',
      top_k: 3,
      filters: { user_id: 'raw-user' },
    });

    const page = await client.getAll({ filters: { user_id: 'raw-user' }, page: 1, pageSize: 50 });
    expect(page.count).toBe(1);
    expect(last('POST', '/v3/memories/').query).toEqual({ page: '1', page_size: '50' });
    const id = page.results[0]!.id;

    expect((await client.get(id)).memory).toBe('Raw client likes olives');
    await client.update(id, { text: 'Raw client loves olives' });
    expect(last('PUT', `/v1/memories/${id}/`).body).toEqual({ text: 'Raw client loves olives' });
    await client.delete(id);
    expect(last('DELETE', `/v1/memories/${id}/`).method).toBe('DELETE');
    await client.deleteAll({ userId: 'raw-user' });
    expect(last('DELETE', '/v1/memories/').query).toEqual({ user_id: 'raw-user' });
  });

  it('Mem0Provider sends the same shapes, with the user id inside filters and in delete-all', async () => {
    const provider = new Mem0Provider({ apiKey: 'wire-key', host: server.url, readYourWrites: true });
    const before = server.requests.length;
    const eventId = await provider.add('wire user*', [{ role: 'user', content: 'Provider likes figs' }], { category: 'food' });
    expect(last('POST', '/v3/memories/add/').body).toEqual({
      messages: [{ role: 'user', content: 'Provider likes figs' }],
      user_id: 'wire%20user%2A',
      metadata: { category: 'food' },
    });
    expect(last('GET', `/v1/event/${eventId}/`).headers.authorization).toBe('Token wire-key');

    await provider.search('wire user*', 'figs', { filters: { category: 'food' }, limit: 4 });
    expect(last('POST', '/v3/memories/search/').body).toEqual({
      query: 'figs',
      output_format: 'v1.1',
      top_k: 4,
      filters: { AND: [{ user_id: 'wire%20user%2A' }, { metadata: { category: 'food' } }] },
    });
    expect(await provider.deleteAll('wire user*')).toBe(1);
    expect(last('DELETE', '/v1/memories/').query).toEqual({ user_id: 'wire%20user%2A' });
    const sent = server.requests.slice(before);
    expect(sent.every((request) => request.headers.authorization === 'Token wire-key')).toBe(true);
    expect(sent.some((request) => request.path === '/v1/ping/')).toBe(false);
  });
});
