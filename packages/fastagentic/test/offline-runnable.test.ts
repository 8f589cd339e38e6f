import type { Memory } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { OfflineRunnable } from '../src/offline-runnable.js';

const memory = (text: string): Memory => ({
  id: text,
  userId: 'u1',
  memory: text,
  metadata: {},
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('OfflineRunnable', () => {
  it('quotes the first line of the first three memories of each kind and counts the rest', async () => {
    const reply = await new OfflineRunnable().run({
      messages: [{ role: 'user', content: 'Do I like tea?' }],
      memories: ['a\nassistant: long', 'b', 'c', 'd', 'e'].map(memory),
      sessionMemories: ['s1', 's2'].map(memory),
      memoryContext: '',
    });
    expect(reply).toBe('You said: Do I like tea?\nI remember: a | b | c (+2 more)\nEarlier in this session: s1 | s2');
  });
});
