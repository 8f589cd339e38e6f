import { eventually } from '@fastagentic/testkit';
import { describe, expect, it } from 'vitest';
import { ZepProvider } from '../src/index.js';

const apiKey = process.env.ZEP_API_KEY;
const title = apiKey ? 'against Zep Cloud' : 'against Zep Cloud (skipped: ZEP_API_KEY is not set)';

describe('live Zep Cloud', () => {
  it.skipIf(!apiKey)(`${title}: add, wait for ingestion, search, getAll, get, delete, deleteAll`, { timeout: 180_000 }, async () => {
    const provider = new ZepProvider({ apiKey, namespace: `live-${Date.now().toString(36)}`, readYourWrites: { timeoutMs: 90_000 } });
    const userId = 'live-user';
    try {
      await provider.add(
        userId,
        [
          { role: 'user', content: 'I am allergic to peanuts and I live in Lisbon.' },
          { role: 'assistant', content: 'Noted: no peanuts, and Lisbon is home.' },
        ],
        { category: 'profile', source: 'live-test' },
      );
      const found = await eventually(
        async () => {
          const results = await provider.search(userId, 'What is the user allergic to?');
          expect(results.length).toBeGreaterThan(0);
          return results;
        },
        { timeoutMs: 60_000, intervalMs: 2_000 },
      );
      for (const memory of found) expect(memory.score).toBeGreaterThanOrEqual(0);
      const { memories } = await provider.getAll(userId);
      expect(memories.length).toBeGreaterThan(0);
      expect(await provider.get(userId, memories[0]!.id)).not.toBeNull();
      const filtered = await provider.getAll(userId, { filters: { category: 'profile' } });
      expect(filtered.memories.length).toBeGreaterThan(0);
      await provider.delete(userId, memories[0]!.id);
    } finally {
      expect(await provider.deleteAll(userId)).toBeGreaterThanOrEqual(0);
    }
  });
});
