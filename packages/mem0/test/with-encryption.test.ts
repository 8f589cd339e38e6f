import { withEncryption } from '@fastagentic/encryption';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { afterAll, describe, expect, it } from 'vitest';
import { Mem0Provider } from '../src/index.js';
import { Mem0PlatformServer } from './mem0-platform-server.js';

const server = await new Mem0PlatformServer({ apiKey: 'k', processingDelayMs: 5 }).start();
const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
afterAll(() => server.stop());

const storedFor = (userId: string) => [...server.memories.values()].filter((record) => record.user_id === userId);

describe("the spec's Mem0Provider({ apiKey, encryptionKey })", () => {
  it('stores verbatim ciphertext only; getAll, search and filters still work', async () => {
    const memory = new Mem0Provider({
      apiKey: 'k',
      baseUrl: server.url,
      encryptionKey: key,
      encryption: { filterableFields: ['category'] },
      readYourWrites: { intervalMs: 10 },
    });
    expect(memory.capabilities).toMatchObject({ storage: 'verbatim', semanticSearch: false, consistency: 'eventual' });
    await memory.add('enc-user', [{ role: 'user', content: 'Allergic to peanuts' }], { category: 'health' });
    await memory.add('enc-user', [{ role: 'user', content: 'Prefers aisle seats on trains' }], { category: 'travel' });

    const stored = storedFor('enc-user');
    expect(stored).toHaveLength(2);
    const wire = JSON.stringify(server.requests.filter((request) => request.body !== undefined).map((request) => request.body));
    for (const secret of ['peanuts', 'aisle', 'health', 'travel']) {
      expect(JSON.stringify(stored)).not.toContain(secret);
      expect(wire).not.toContain(secret);
    }
    expect(server.requests.filter((request) => request.path === '/v3/memories/add/').every((request) => (request.body as { infer?: boolean }).infer === false)).toBe(true);

    expect((await memory.getAll('enc-user')).memories.map((m) => m.memory).sort()).toEqual(['Allergic to peanuts', 'Prefers aisle seats on trains']);
    expect((await memory.getAll('enc-user', { filters: { category: 'health' } })).memories.map((m) => m.memory)).toEqual(['Allergic to peanuts']);
    const found = await memory.search('enc-user', 'peanuts allergy');
    expect(found.map((m) => m.memory)).toEqual(['Allergic to peanuts']);
    expect(found[0]!.score).toBeGreaterThan(0);
    expect(found[0]!.score).toBeLessThanOrEqual(1);
    const [first] = (await memory.getAll('enc-user')).memories;
    expect(await memory.get('enc-user', first!.id)).toMatchObject({ memory: first!.memory });
    expect(await memory.deleteAll('enc-user')).toBe(2);
  });

  it('a bad key is a MemoryConfigurationError on the first call; infer: true with a key is refused at construction', async () => {
    const bad = new Mem0Provider({ apiKey: 'k', baseUrl: server.url, encryptionKey: 'not a key' });
    await expect(bad.getAll('u')).rejects.toSatisfy((error) => MemoryConfigurationError.isInstance(error));
    expect(() => new Mem0Provider({ apiKey: 'k', baseUrl: server.url, encryptionKey: key, infer: true })).toThrow(MemoryConfigurationError);
  });

  it('withEncryption over Mem0Provider refuses inference: extraction cannot work on ciphertext', () => {
    expect(() => withEncryption(new Mem0Provider({ apiKey: 'k', baseUrl: server.url }), { key })).toThrow(MemoryConfigurationError);
  });
});
