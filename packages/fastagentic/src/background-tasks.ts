/**
 * Work that runs after the response (storing an exchange). Every task is kept until it settles,
 * so a graceful shutdown can wait for writes the client was already told about.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Starts tracking `task`; the returned promise never rejects (failures go to `onError`). */
  track(task: Promise<unknown>): Promise<void> {
    const settled = task.then(
      () => undefined,
      (error: unknown) => this.onError(error),
    );
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
    return settled;
  }

  get size(): number {
    return this.pending.size;
  }

  /** Resolves once every task started so far, and any they started meanwhile, has settled. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }
}
