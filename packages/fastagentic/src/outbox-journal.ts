/**
 * One write a reply promised, as the outbox journal keeps it until the store has it. Everything
 * needed to send it again after a restart: the same idempotency key, so a store that honours keys
 * keeps one copy however often it is replayed.
 */
export interface OutboxRecord {
  /** The idempotency key every attempt carries; also the record's identity in the journal. */
  key: string;
  userId: string;
  /** Which of the app's stores it is for: `memory` or `sessionMemory`. */
  store: string;
  /** When the reply promised it (ms since the epoch). */
  promisedAt: number;
  /** `{ messages, metadata? }` as JSON: stored as one string so a journal never parses it. */
  payload: string;
}

/**
 * Where the app writes what replies promised before the reply is sent, and removes it once the store
 * has it. After a crash the next start replays what is left, oldest first. Implementations: the
 * in-memory one (the default: survives nothing but keeps the interface honest), a libSQL/SQLite file
 * on Node (`apps/node-server`), or any store several replicas share.
 */
export interface OutboxJournal {
  /** Records the promise; it must be kept once this resolves (or returns). */
  append(record: OutboxRecord): Promise<void> | void;
  /** Forgets records by key: the store has them, they failed for good, or their user was forgotten. */
  remove(keys: readonly string[]): Promise<void> | void;
  /** What an earlier process left, oldest first (the order per user is the order of promises). */
  pending(): Promise<OutboxRecord[]>;
  close?(): Promise<void>;
}

/** Keeps records in process memory: the default where there is no disk (Workers) and for tests. */
export class InMemoryOutboxJournal implements OutboxJournal {
  private readonly records = new Map<string, OutboxRecord>();

  append(record: OutboxRecord): void {
    this.records.set(record.key, record);
  }

  remove(keys: readonly string[]): void {
    for (const key of keys) this.records.delete(key);
  }

  async pending(): Promise<OutboxRecord[]> {
    return [...this.records.values()];
  }

  /** Records held. */
  get size(): number {
    return this.records.size;
  }
}
