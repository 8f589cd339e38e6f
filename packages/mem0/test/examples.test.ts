import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { categories } from '../examples/categories.js';
import { fromEnvironment } from '../examples/env-var.js';
import { forget } from '../examples/gdpr-forget.js';
import { manualAccess } from '../examples/manual-access.js';
import { quickStart } from '../examples/quick-start.js';
import { Mem0PlatformServer } from './mem0-platform-server.js';

const server = new Mem0PlatformServer({ apiKey: 'example-key' });
beforeAll(async () => {
  await server.start();
});
afterAll(() => server.stop());

describe("the spec's examples, against the local Mem0 server", () => {
  it('quick start stores a conversation and recalls it', async () => {
    expect(await quickStart({ apiKey: 'example-key', baseUrl: server.url })).toEqual(['I am vegetarian and I live in Lisbon']);
  });

  it('env var: new Mem0Provider() reads MEM0_API_KEY', async () => {
    const env = globalThis.process.env;
    const saved = env.MEM0_API_KEY;
    env.MEM0_API_KEY = 'example-key';
    try {
      expect(await fromEnvironment({ baseUrl: server.url })).toBe(1);
    } finally {
      if (saved === undefined) delete env.MEM0_API_KEY;
      else env.MEM0_API_KEY = saved;
    }
  });

  it('categories: search by category returns only that category', async () => {
    expect(await categories({ apiKey: 'example-key', baseUrl: server.url })).toEqual(['I prefer window seats on flights']);
  });

  it('manual access: the second turn sees what the first stored', async () => {
    const [first, second] = await manualAccess({ apiKey: 'example-key', baseUrl: server.url });
    expect(first).toBe('You said: My dog is called Pixel');
    expect(second).toContain('My dog is called Pixel');
  });

  it('GDPR forget deletes everything of the user in one delete-all', async () => {
    const before = server.requests.filter((request) => request.method === 'DELETE').length;
    expect(await forget({ apiKey: 'example-key', baseUrl: server.url })).toEqual({ deleted: 1, left: 0 });
    expect(server.requests.filter((request) => request.method === 'DELETE').length - before).toBe(1);
  });
});
