/**
 * A per-user generation counter for `withCache`: every write of a user bumps it, and a cached
 * result is served only while the counter still reads the value it was cached under. Kept in a
 * store every process shares (Redis: `RedisCacheGenerationStore` in `@fastagentic/redis`), a write
 * through any process invalidates the user's entries in all of them.
 */
export interface CacheGenerationStore {
  /** The user's current generation (0 when never bumped). */
  get(userId: string): Promise<number>;
  /** Increments the user's generation and resolves to the new value. */
  bump(userId: string): Promise<number>;
  /**
   * `process`: the counter lives in this process only, so writes made elsewhere (another process,
   * another Worker isolate) are not seen. Absent or `shared`: every process sees the same counter.
   */
  readonly scope?: 'process' | 'shared';
}

/** Generations in a Map: for one process only (`withCache(..., { scope: 'process' })`). */
export class InProcessGenerationStore implements CacheGenerationStore {
  readonly scope = 'process';
  private readonly generations = new Map<string, number>();

  async get(userId: string): Promise<number> {
    return this.generations.get(userId) ?? 0;
  }

  async bump(userId: string): Promise<number> {
    const next = (this.generations.get(userId) ?? 0) + 1;
    this.generations.set(userId, next);
    return next;
  }
}
