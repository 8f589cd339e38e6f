import {
  type MemoryProvider,
  type Embedder,
} from '@fastagentic/memory';
import { expect } from 'vitest';

/** A toy embedder: one axis per word, so similarity is predictable. */
export const AXES_EMBEDDER: Embedder = {
  dimensions: 3,
  embed: async (texts) => texts.map((text) => ['tea', 'piano', 'berlin'].map((axis) => (text.toLowerCase().includes(axis) ? 1 : 0.1))),
};

/** Stores three memories and checks that search ranks them by the cosine of their stored vectors. */
export async function expectCosineRanking(provider: MemoryProvider, userId: string): Promise<void> {
  await provider.add(userId, [{ role: 'user', content: 'Drinks tea' }]);
  await provider.add(userId, [{ role: 'user', content: 'Plays piano in Berlin' }]);
  await provider.add(userId, [{ role: 'user', content: 'Lives in Berlin' }]);
  const found = await provider.search(userId, 'berlin');
  expect(found.map((memory) => memory.memory)).toEqual(['Lives in Berlin', 'Plays piano in Berlin', 'Drinks tea']);
  expect(found[0]!.score).toBeCloseTo(1, 5);
  expect(found[2]!.score!).toBeLessThan(found[1]!.score!);
}
