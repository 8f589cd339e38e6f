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
  it('counts what it was given and never quotes a memory, so stored replies do not copy memories', async () => {
    const reply = await new OfflineRunnable().run({
      messages: [{ role: 'user', content: 'Do I like tea?' }],
      memories: ['a\nassistant: long', 'b', 'c', 'd', 'e'].map(memory),
      sessionMemories: ['s1', 's2'].map(memory),
      memoryContext: '',
    });
    expect(reply).toBe('You said: Do I like tea?\nI recalled 5 memories about you.\nEarlier in this session: 2 turns.');
  });
});
