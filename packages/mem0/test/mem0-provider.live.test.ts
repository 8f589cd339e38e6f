import { testMemoryProvider } from '@fastagentic/testkit';
import { describe, expect, it } from 'vitest';
import { Mem0Provider } from '../src/index.js';

// Against the real Mem0 platform, only when MEM0_API_KEY is set (then the conformance suite runs
// too); reported as skipped otherwise.
const apiKey = globalThis.process.env.MEM0_API_KEY;
const unlessKey = apiKey ? '' : ' (skipped: MEM0_API_KEY is not set)';

if (apiKey) {
  testMemoryProvider({
    name: 'Mem0Provider (live Mem0 platform)',
    create: () => new Mem0Provider({ apiKey }),
    eventualTimeoutMs: 90_000,
    testTimeoutMs: 300_000,
  });
}

describe('live Mem0 platform', () => {
  it.skipIf(!apiKey)(`add with readYourWrites is searchable at once, and forgetting removes it${unlessKey}`, { timeout: 120_000 }, async () => {
    const provider = new Mem0Provider({ apiKey, readYourWrites: { timeoutMs: 90_000 } });
    const userId = `fastagentic-live-${Date.now()}`;
    try {
      await provider.add(userId, [{ role: 'user', content: 'I am allergic to hazelnuts.' }], { category: 'health' });
      const found = await provider.search(userId, 'What is the user allergic to?');
      expect(found.some((memory) => /hazelnut/i.test(memory.memory))).toBe(true);
      for (const memory of found) expect(memory.score).toBeGreaterThanOrEqual(0);
    } finally {
      await provider.deleteAll(userId);
    }
  });
});
