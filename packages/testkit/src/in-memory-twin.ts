import { InMemoryProvider, type Embedder, type MemoryChanges, type MemoryProvider, type Metadata, type SearchOptions } from '@fastagentic/memory';
import { expect } from 'vitest';

/**
 * A deterministic embedder: counts of a few topics' words plus a constant axis, small integers
 * that float32 holds exactly, so every store compares the same vectors.
 */
export const TOPIC_EMBEDDER: Embedder = {
  dimensions: 5,
  embed: async (texts) =>
    texts.map((text) => {
      const words = text.toLowerCase().split(/[^a-z]+/);
      const count = (topic: string[]) => words.filter((word) => topic.includes(word)).length;
      return [
        count(['tea', 'teas', 'coffee', 'drink', 'drinks']),
        count(['piano', 'music', 'guitar']),
        count(['berlin', 'river', 'garden', 'hiking']),
        count(['cat', 'cats', 'dog']),
        1,
      ];
    }),
};

/**
 * A store and InMemoryProvider given the same memories, in the same order, a few milliseconds
 * apart: for a store's test that it ranks exactly as the core does (ids, order, scores to 1e-9).
 */
export class InMemoryTwin {
  /** InMemoryProvider's id of each memory → the store's id of the same memory. */
  private readonly ids = new Map<string, string>();
  /** Both ids of every memory, in the order they were added. */
  readonly added: Array<{ userId: string; reference: string; stored: string }> = [];

  constructor(
    readonly store: MemoryProvider,
    readonly reference: InMemoryProvider,
  ) {}

  async add(userId: string, text: string, metadata?: Metadata): Promise<void> {
    const messages = [{ role: 'user' as const, content: text }];
    const reference = await this.reference.add(userId, messages, metadata);
    const stored = await this.store.add(userId, messages, metadata);
    this.ids.set(reference, stored);
    this.added.push({ userId, reference, stored });
    // Distinct creation times, so equal scores are ordered alike (newest first) in both stores.
    await new Promise((resolve) => setTimeout(resolve, 3));
  }

  /** Deletes the memory added `index`-th from both. */
  async delete(index: number): Promise<void> {
    const { userId, reference, stored } = this.added[index]!;
    await this.reference.delete(userId, reference);
    await this.store.delete(userId, stored);
  }

  /** Updates the memory added `index`-th in both (the store must declare `update`). */
  async update(index: number, changes: MemoryChanges): Promise<void> {
    const { userId, reference, stored } = this.added[index]!;
    await this.reference.update(userId, reference, changes);
    await this.store.update!(userId, stored, changes);
  }

  /** Asserts the store returns InMemoryProvider's results: same memories, same order, scores within 1e-9. Returns them. */
  async expectSameSearch(userId: string, query: string, options?: SearchOptions): Promise<Array<{ id: string; score: number }>> {
    const expected = await this.reference.search(userId, query, options);
    const found = await this.store.search(userId, query, options);
    expect(found.map((memory) => memory.id), `${query} ${JSON.stringify(options)}`).toEqual(expected.map((memory) => this.ids.get(memory.id)));
    found.forEach((memory, index) => expect(Math.abs(memory.score! - expected[index]!.score!)).toBeLessThanOrEqual(1e-9));
    return found.map((memory) => ({ id: memory.id, score: memory.score! }));
  }
}
