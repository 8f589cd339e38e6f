import { describe, expect, it } from 'vitest';
import { InMemoryProvider } from '../in-memory/in-memory-provider.js';
import { injectMemory } from '../injection/inject-memory.js';
import type { MemoryProvider } from '../spec/memory-provider.js';
import { formMemories } from './form-memories.js';
import { injectWithProfile } from './inject-with-profile.js';
import { readProfile } from './user-profile.js';

const USER = 'alice';

function say(provider: MemoryProvider, text: string, turn: number) {
  return formMemories(provider, {
    userId: USER,
    messages: [
      { role: 'user', content: text },
      { role: 'assistant', content: 'assistant: I have no memory of that.' },
    ],
    sessionId: 'session-1',
    turn,
    at: '2026-01-01T10:00:00.000Z',
    source: 'test',
  });
}

async function facts(provider: MemoryProvider): Promise<string[]> {
  const { memories } = await provider.getAll(USER);
  return memories.filter((memory) => memory.metadata.kind === 'fact').map((memory) => memory.memory);
}

/** The provider without `update`, as a store that has not implemented it yet. */
function withoutUpdate(provider: InMemoryProvider): MemoryProvider {
  return {
    specificationVersion: 'v1',
    provider: provider.provider,
    capabilities: { ...provider.capabilities, update: false, history: false },
    add: provider.add.bind(provider),
    search: provider.search.bind(provider),
    getAll: provider.getAll.bind(provider),
    get: provider.get.bind(provider),
    delete: provider.delete.bind(provider),
    deleteAll: provider.deleteAll.bind(provider),
  };
}

describe('formMemories (offline)', () => {
  it('keeps the user’s statements with their provenance, never the agent’s text, questions or greetings', async () => {
    const memory = new InMemoryProvider();
    const result = await say(memory, 'Hi there! My favourite colour is teal. Which colour suits me? Thanks!', 1);

    expect(await facts(memory)).toEqual(['My favourite colour is teal']);
    expect(result.dropped.map((item) => item.reason)).toEqual(['chit-chat', 'question', 'chit-chat']);
    const [stored] = (await memory.getAll(USER, { filters: { kind: 'fact' } })).memories;
    expect(stored!.metadata).toMatchObject({ source: 'test', session: 'session-1', turn: 1, formedAt: '2026-01-01T10:00:00.000Z', slot: 'favourite:color', value: 'teal' });
    await say(memory, 'ok cool', 2);
    await say(memory, 'What should I cook tonight?', 3);
    expect(await facts(memory)).toEqual(['My favourite colour is teal']);
  });

  it('refreshes a restated memory in place instead of copying it', async () => {
    const memory = new InMemoryProvider();
    await say(memory, 'My favourite colour is teal.', 1);
    const [first] = (await memory.getAll(USER, { filters: { kind: 'fact' } })).memories;
    const result = await say(memory, 'my favourite colour is TEAL', 2);

    expect(result.updated).toEqual([first!.id]);
    expect(await facts(memory)).toEqual(['My favourite colour is teal']);
    const history = await memory.history!(USER, first!.id);
    expect(history.map((entry) => [entry.event, entry.reason])).toEqual([
      ['add', undefined],
      ['update', 'formation:restated'],
    ]);
    expect((await memory.get(USER, first!.id))!.metadata.restatedCount).toBe(1);
  });

  it('supersedes the memory an update replaces, keeping the old text in history only', async () => {
    const memory = new InMemoryProvider();
    await say(memory, 'I live in Paris.', 1);
    const [paris] = (await memory.getAll(USER, { filters: { kind: 'fact' } })).memories;
    await say(memory, 'I moved to Berlin last month', 2);

    expect(await facts(memory)).toEqual(['I moved to Berlin last month']);
    const history = await memory.history!(USER, paris!.id);
    expect(history.at(-1)).toMatchObject({ event: 'update', previousText: 'I live in Paris', reason: 'formation:superseded' });
    const injected = await injectMemory({ strategy: 'all' })(memory, { userId: USER });
    expect(injected.context).not.toContain('Paris');
  });

  it('falls back to delete and add on a store without update', async () => {
    const inner = new InMemoryProvider();
    const memory = withoutUpdate(inner);
    await say(memory, 'My number is 0170 1234567', 1);
    await say(memory, 'My number is 0170 1234567', 2);
    await say(memory, 'My new number is 0151 7654321', 3);

    expect(await facts(memory)).toEqual(['My new number is 0151 7654321']);
  });

  it('keeps a profile of stable facts, injected as its own block on every turn', async () => {
    const memory = new InMemoryProvider();
    await say(memory, 'My name is Alice. I am vegetarian and allergic to peanuts. I have a dog named Rex.', 1);
    await say(memory, 'I live in Paris', 2);
    await say(memory, 'Actually I moved to Berlin', 3);

    expect(await readProfile(memory, USER)).toEqual({
      name: 'Alice',
      diet: 'vegetarian',
      allergies: ['peanuts'],
      pets: { dog: 'Rex' },
      home: 'Berlin',
    });
    const inject = injectWithProfile(injectMemory({ strategy: 'relevant', minRelevance: 0.3 }));
    const { context, memories } = await inject(memory, { userId: USER, query: 'What should I cook tonight?' });
    expect(memories).toEqual([]);
    expect(context).toContain('- Diet: vegetarian');
    expect(context).not.toContain('Paris');
  });
});
