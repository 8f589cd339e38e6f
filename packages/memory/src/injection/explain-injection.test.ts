import { describe, expect, it } from 'vitest';
import { InMemoryProvider } from '../in-memory/in-memory-provider.js';
import { MemoryValidationError } from '../spec/memory-error.js';
import { explainInjection, explainSearch } from './explain-injection.js';
import { frameMemoryContext } from './format-memory-context.js';
import { injectMemory } from './inject-memory.js';

async function seeded() {
  const provider = new InMemoryProvider();
  const add = (content: string, metadata: Record<string, string>) => provider.add('u1', [{ role: 'user', content }], metadata);
  await add('Flies to Tokyo every spring for work', { category: 'travel' });
  await add('Tokyo trip: prefers hotels near Tokyo station', { category: 'travel' });
  await add('Learning Japanese before the Tokyo trip', { category: 'study' });
  await add('Has two daughters who play chess', { category: 'family' });
  await add('Went to Tokyo once', { category: 'travel', source: 'import' });
  return provider;
}

const reasonsOf = (excluded: { memory: { memory: string }; reason: { kind: string } }[]) =>
  Object.fromEntries(excluded.map(({ memory, reason }) => [memory.memory, reason]));

describe('explainInjection', () => {
  it('relevant: names the filter clause, the relevance shortfall and the count cap', async () => {
    const provider = await seeded();
    const inject = injectMemory({
      strategy: 'relevant',
      maxMemories: 1,
      minRelevance: 0.15,
      filters: { category: 'travel', source: { ne: 'import' } },
    });
    const plain = await inject(provider, { userId: 'u1', query: 'Tokyo spring' });
    const explained = await explainInjection(inject, provider, { userId: 'u1', query: 'Tokyo spring' });

    expect(explained.memories).toEqual(plain.memories);
    expect(explained.context).toBe(plain.context);
    expect(explained.explain.included.map((m) => m.memory)).toEqual(['Flies to Tokyo every spring for work']);
    expect(explained.explain.provider).toBe('in-memory');
    expect(explained.explain.durationMs).toBeGreaterThanOrEqual(0);
    // The search matches memories sharing a word with the query: the chess one is no candidate.
    expect(explained.explain.candidatesExamined).toBe(4);

    const reasons = reasonsOf(explained.explain.excluded);
    expect(reasons['Learning Japanese before the Tokyo trip']).toEqual({ kind: 'filtered-out', clause: 'category eq "travel"' });
    expect(reasons['Went to Tokyo once']).toEqual({ kind: 'filtered-out', clause: 'source ne "import"' });
    expect(reasons['Tokyo trip: prefers hotels near Tokyo station']).toEqual({ kind: 'over-max-memories', maxMemories: 1 });
    expect(explained.explain.excluded).toHaveLength(3);
  });

  it('relevant: below minRelevance says by how much, with the score', async () => {
    const provider = await seeded();
    const inject = injectMemory({ strategy: 'relevant', minRelevance: 0.9 });
    const explained = await explainInjection(inject, provider, { userId: 'u1', query: 'Tokyo spring' });
    const below = explained.explain.excluded.filter((candidate) => candidate.reason.kind === 'below-min-relevance');
    expect(below.length).toBeGreaterThan(0);
    for (const candidate of below) {
      expect(candidate.score).toBeLessThan(0.9);
      expect(candidate.reason).toEqual({
        kind: 'below-min-relevance',
        minRelevance: 0.9,
        shortBy: expect.closeTo(0.9 - candidate.score!, 9),
      });
    }
    expect(explained.memories.every((memory) => memory.score! >= 0.9)).toBe(true);
  });

  it('recent: the size budget and the time window', async () => {
    const provider = await seeded();
    // 70 characters of memories inside the fixed framing.
    const maxCharacters = frameMemoryContext(['x']).length - 1 + 70;
    const budgeted = injectMemory({ strategy: 'recent', budget: { maxCharacters } });
    const explained = await explainInjection(budgeted, provider, { userId: 'u1' });
    expect(explained.memories.map((memory) => memory.memory)).toEqual(['Went to Tokyo once']);
    expect(explained.explain.excluded.map((candidate) => candidate.reason)).toEqual(
      Array(4).fill({ kind: 'over-budget', budget: { maxCharacters } }),
    );

    const old = new InMemoryProvider();
    await old.add('u1', [{ role: 'user', content: 'stored long ago' }]);
    const windowed = injectMemory({ strategy: 'recent', timeWindowHours: 1 });
    const realNow = Date.now;
    Date.now = () => realNow() + 2 * 3_600_000;
    try {
      const late = await explainInjection(windowed, old, { userId: 'u1' });
      expect(late.memories).toEqual([]);
      expect(late.explain.excluded[0]!.reason).toEqual({ kind: 'outside-time-window', timeWindowHours: 1, ageHours: expect.closeTo(2, 1) });
    } finally {
      Date.now = realNow;
    }
  });

  it('refuses a bad candidateLimit, naming it', async () => {
    const inject = injectMemory({ strategy: 'all' });
    await expect(explainInjection(inject, new InMemoryProvider(), { userId: 'u1' }, { candidateLimit: 0 })).rejects.toThrow(
      MemoryValidationError,
    );
  });
});

describe('explainSearch', () => {
  it('returns the search results and why the rest were not among them', async () => {
    const provider = await seeded();
    const explained = await explainSearch(provider, 'u1', 'Tokyo trip', { limit: 1, filters: { category: { in: ['travel', 'family'] } } });
    expect(explained.included).toEqual(await provider.search('u1', 'Tokyo trip', { limit: 1, filters: { category: { in: ['travel', 'family'] } } }));
    const reasons = reasonsOf(explained.excluded);
    expect(reasons['Learning Japanese before the Tokyo trip']).toEqual({ kind: 'filtered-out', clause: 'category in ["travel","family"]' });
    expect(Object.values(reasons).filter((reason) => reason.kind === 'over-max-memories')).toHaveLength(2);
    expect(explained.excluded).toHaveLength(3);
  });
});
