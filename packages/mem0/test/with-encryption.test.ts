import { withEncryption } from '@fastagentic/encryption';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mem0Provider } from '../src/index.js';
import { Mem0PlatformServer } from './mem0-platform-server.js';

const server = new Mem0PlatformServer({ apiKey: 'k' });
const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
beforeAll(async () => {
  await server.start();
});
afterAll(() => server.stop());

describe("the spec's encryption_key: withEncryption over Mem0Provider", () => {
  it('with infer: false Mem0 holds only ciphertext and the caller gets plaintext back', async () => {
    const memory = withEncryption(new Mem0Provider({ apiKey: 'k', baseUrl: server.url, infer: false, readYourWrites: { intervalMs: 20 } }), {
      key,
      filterableFields: ['category'],
    });
    await memory.add('enc-user', [{ role: 'user', content: 'Allergic to peanuts' }], { category: 'health' });
    const stored = [...server.memories.values()].filter((record) => record.user_id === 'enc-user');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.memory).not.toContain('peanuts');
    expect(JSON.stringify(stored[0]!.metadata)).not.toContain('health');
    expect((await memory.getAll('enc-user', { filters: { category: 'health' } })).memories.map((m) => m.memory)).toEqual([
      'Allergic to peanuts',
    ]);
    expect(await memory.deleteAll('enc-user')).toBe(1);
  });

  it('with inference on it is refused: extraction cannot work on ciphertext', () => {
    expect(() => withEncryption(new Mem0Provider({ apiKey: 'k', baseUrl: server.url }), { key })).toThrow(MemoryConfigurationError);
  });
});
