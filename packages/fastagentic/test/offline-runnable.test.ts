import type { Memory } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { OfflineRunnable, toSecondPerson } from '../src/offline-runnable.js';

const memory = (text: string): Memory => ({
  id: text,
  userId: 'u1',
  memory: text,
  metadata: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const run = (memories: string[], sessionMemories: string[] = [], profile?: Record<string, string>) =>
  new OfflineRunnable().run({
    messages: [{ role: 'user', content: 'Which colour is my favourite?' }],
    memories: memories.map(memory),
    sessionMemories: sessionMemories.map(memory),
    memoryContext: '',
    ...(profile ? { profile } : {}),
  });

describe('OfflineRunnable', () => {
  it('tells the user back what was injected', async () => {
    expect(await run(['My favourite colour is teal.'])).toBe('You told me your favourite colour is teal.');
    expect(await run(['I am vegetarian', 'I live in Berlin', 'My sister is Anna', 'I like tea'], ['s1', 's2'])).toBe(
      'You told me you are vegetarian, you live in Berlin and your sister is Anna.\nEarlier in this session: 2 turns.',
    );
  });

  it('tells back a raw exchange by its user lines, never the agent’s', async () => {
    expect(await run(['user: I keep bees\nassistant: I have no memory of that.'])).toBe('You told me you keep bees.');
  });

  it('shows the profile, and says it remembers nothing only when nothing was injected', async () => {
    expect(await run([], [], { diet: 'vegetarian' })).toBe('What I know about you:\n- Diet: vegetarian');
    expect(await run([])).toBe('I remember nothing about you yet.');
  });

  it('turns first person into second person', () => {
    expect(toSecondPerson("I'm based in Rome and my dog likes me")).toBe("you're based in Rome and your dog likes you");
  });
});
