import { describe, expect, it } from 'vitest';
import { InMemoryProvider } from '../in-memory/in-memory-provider.js';
import { formatMemories, frameMemoryContext, MEMORY_CONTEXT_FRAMING } from './format-memory-context.js';
import { estimateTokens, injectMemory } from './inject-memory.js';
import { MemoryValidationError } from '../spec/memory-error.js';

const { header, begin, end } = MEMORY_CONTEXT_FRAMING;
/** What the framing adds around the text inside the block. */
const FRAMING_LENGTH = frameMemoryContext(['x']).length - 1;

async function seeded() {
  const provider = new InMemoryProvider();
  for (const content of [
    'Prefers window seats on long flights',
    'Is vegetarian and avoids mushrooms',
    'Flies to Tokyo every spring for work',
    'Has two daughters who play chess',
  ]) {
    await provider.add('u1', [{ role: 'user', content }]);
  }
  return provider;
}

describe('injectMemory', () => {
  it('relevant: searches with the user message and drops memories under minRelevance', async () => {
    const provider = await seeded();
    const strict = await injectMemory({ strategy: 'relevant', maxMemories: 10, minRelevance: 0.5 })(provider, {
      userId: 'u1',
      query: 'Tokyo in spring',
    });
    expect(strict.memories.map((memory) => memory.memory)).toEqual(['Flies to Tokyo every spring for work']);
    expect(strict.context).toBe(`${header}\n${begin}\nRelevant memories about the user:\n- Flies to Tokyo every spring for work\n${end}`);
    const loose = await injectMemory({ strategy: 'relevant' })(provider, { userId: 'u1', query: 'flights to Tokyo' });
    // Each shares one of the two terms (flight, tokyo), equally rare in memories of equal length: equal scores below 0.5.
    expect(loose.memories.map((memory) => memory.memory).sort()).toEqual([
      'Flies to Tokyo every spring for work',
      'Prefers window seats on long flights',
    ]);
    const [first, second] = loose.memories.map((memory) => memory.score!);
    expect(first).toBe(second);
    expect(first).toBeGreaterThan(0.3);
    expect(first).toBeLessThan(0.5);
  });

  it('recent and all: newest first, capped by maxMemories', async () => {
    const provider = await seeded();
    const recent = await injectMemory({ strategy: 'recent', maxMemories: 2 })(provider, { userId: 'u1' });
    expect(recent.memories.map((memory) => memory.memory)).toEqual([
      'Has two daughters who play chess',
      'Flies to Tokyo every spring for work',
    ]);
    const all = await injectMemory({ strategy: 'all' })(provider, { userId: 'u1' });
    expect(all.memories).toHaveLength(4);
  });

  it('keeps the longest best-first prefix that fits a character or token budget', async () => {
    const provider = await seeded();
    const full = await injectMemory({ strategy: 'all' })(provider, { userId: 'u1' });
    const maxCharacters = FRAMING_LENGTH + 110;
    const chars = await injectMemory({ strategy: 'all', budget: { maxCharacters } })(provider, { userId: 'u1' });
    expect(chars.context.length).toBeLessThanOrEqual(maxCharacters);
    expect(chars.memories).toEqual(full.memories.slice(0, chars.memories.length));
    expect(chars.memories.length).toBe(2);
    const maxTokens = Math.ceil(FRAMING_LENGTH / 4) + 20;
    const tokens = await injectMemory({ strategy: 'all', budget: { maxTokens } })(provider, { userId: 'u1' });
    expect(estimateTokens(tokens.context)).toBeLessThanOrEqual(maxTokens);
    expect(tokens.memories.length).toBe(1);
    const none = await injectMemory({ strategy: 'all', budget: { maxCharacters: FRAMING_LENGTH + 5 } })(provider, { userId: 'u1' });
    expect(none).toEqual({ memories: [], context: '' });
  });

  it('uses a custom formatter inside the fixed framing', async () => {
    const provider = await seeded();
    const inject = injectMemory({
      strategy: 'recent',
      maxMemories: 1,
      format: (memories) => memories.map((memory) => `<memory>${memory.memory}</memory>`).join(''),
    });
    expect((await inject(provider, { userId: 'u1' })).context).toBe(
      `${header}\n${begin}\n<memory>Has two daughters who play chess</memory>\n${end}`,
    );
    expect(formatMemories([])).toBe('');
  });

  it('rejects bad options and requests, naming the field', async () => {
    const provider = await seeded();
    const fieldOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(MemoryValidationError.isInstance(error)).toBe(true);
        return (error as MemoryValidationError).field;
      }
      return undefined;
    };
    expect(fieldOf(() => injectMemory({ strategy: 'nearest' } as never))).toBe('strategy');
    expect(fieldOf(() => injectMemory({ strategy: 'all', maxMemories: 0 }))).toBe('maxMemories');
    expect(fieldOf(() => injectMemory({ strategy: 'relevant', minRelevance: 2 }))).toBe('minRelevance');
    expect(fieldOf(() => injectMemory({ strategy: 'recent', timeWindowHours: -1 }))).toBe('timeWindowHours');
    expect(fieldOf(() => injectMemory({ strategy: 'all', budget: { maxTokens: 0 } }))).toBe('budget.maxTokens');
    await expect(injectMemory({ strategy: 'relevant' })(provider, { userId: 'u1' })).rejects.toMatchObject({
      field: 'request.query',
    });
    await expect(injectMemory({ strategy: 'all' })(provider, { userId: '' })).rejects.toMatchObject({
      field: 'request.userId',
    });
  });
});
