import {
  MemoryError,
  ProviderUnavailableError,
  type MemoryProvider,
  type Message,
  type Metadata,
  type WriteQueueEvent,
} from '@fastagentic/memory';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, delay, type RetryPolicy } from '@fastagentic/memory/provider';

/** One memory the app promised to store. */
export interface QueuedWrite {
  userId: string;
  provider: MemoryProvider;
  messages: Message[];
  metadata?: Metadata;
}

export interface WriteBehindQueueOptions {
  /** Writes held at once across all users; past it the oldest waiting write is dropped. Default 10 000. */
  maxQueued?: number;
  /** Backoff between attempts of a write that failed retryably. Default: the core's retry policy. */
  backoff?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  /** Told about drops, retries and permanent failures (already rate-limited by the caller's logger). */
  onEvent?: (event: WriteQueueLogEvent) => void;
  /** Queue depth and drop counts, e.g. for Prometheus. */
  record?: (event: WriteQueueEvent) => void;
}

export type WriteQueueLogEvent =
  | { kind: 'dropped'; userId: string; provider: string; reason: 'queue full' }
  | { kind: 'retrying'; userId: string; provider: string; attempt: number; outcome: 'unknown' | 'failed'; error: unknown }
  | { kind: 'failed'; userId: string; provider: string; error: unknown };

interface Entry {
  write: QueuedWrite;
  /** Sent with every attempt, so a retry after an unknown outcome stores the memory once. */
  idempotencyKey: string;
  inFlight: boolean;
  settle: () => void;
}

interface Lane {
  entries: Entry[];
  /**
   * The lane's last write: each write is chained onto it where it was queued, so writes stay in
   * order per user and each runs in the context of the request that queued it (on Workers, I/O
   * belongs to a request).
   */
  tail: Promise<void>;
  /**
   * Set by forget: the lane stops retrying its in-flight write. A flag rather than an
   * AbortSignal: on Workers a forget arrives in another request, which may not cancel this
   * request's timers.
   */
  forgotten: boolean;
}

/** The next macrotask: setImmediate where it exists (Node), else a zero timer (Workers, browsers). */
function laterTask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return immediate ? new Promise((resolve) => immediate(() => resolve())) : delay(0);
}

/** Longest sleep between two looks at a lane's `forgotten` flag while backing off. */
const FORGET_CHECK_MS = 100;

const DEFAULT_MAX_QUEUED = 10_000;

/**
 * Stores what the app promised to remember after a reply, without losing it to a passing outage:
 * writes are kept in order per user, retried with backoff (and one idempotency key each) until the
 * store takes them, bounded in total (the oldest waiting write is dropped and counted when full),
 * and removed when their user is forgotten, so a retry can never undo a forget.
 */
export class WriteBehindQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Every waiting or in-flight entry in arrival order: the first one not in flight is the oldest to drop. */
  private readonly order = new Set<Entry>();
  private readonly maxQueued: number;
  private readonly backoff: RetryPolicy;
  private droppedCount = 0;

  constructor(private readonly options: WriteBehindQueueOptions = {}) {
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    if (!(Number.isInteger(this.maxQueued) && this.maxQueued > 0)) {
      throw new RangeError('maxQueued must be a positive integer');
    }
    this.backoff = { ...DEFAULT_RETRY_POLICY, ...options.backoff, maxRetries: Number.POSITIVE_INFINITY };
  }

  /** Writes waiting or in flight. */
  get depth(): number {
    return this.order.size;
  }

  /** Writes dropped because the queue was full, since the app started. */
  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Queues a write; the promise settles once it is stored, dropped or failed for good (pass it to
   * `waitUntil` on Workers). It never rejects.
   */
  enqueue(write: QueuedWrite): Promise<void> {
    if (this.order.size >= this.maxQueued) this.dropOldest();
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const entry: Entry = { write, idempotencyKey: crypto.randomUUID(), inFlight: false, settle };
    this.order.add(entry);
    const lane = this.laneFor(write.userId);
    lane.entries.push(entry);
    this.report();
    lane.tail = lane.tail.then(() => this.process(write.userId, lane, entry));
    return settled;
  }

  /**
   * Removes the user's waiting writes and waits for the one in flight, if any, to settle (it is
   * not retried). Call it before deleting the user's memories. Resolves to the writes removed.
   */
  async forget(userId: string): Promise<number> {
    const lane = this.lanes.get(userId);
    if (lane === undefined) return 0;
    lane.forgotten = true;
    // Writes queued after the forget are new memories: they start a lane of their own.
    this.lanes.delete(userId);
    let removed = 0;
    for (const entry of lane.entries.splice(0)) {
      if (entry.inFlight) {
        lane.entries.push(entry);
        continue;
      }
      this.remove(entry);
      removed++;
    }
    this.report();
    await lane.tail;
    return removed;
  }

  /** Resolves once every write queued so far is stored, dropped or failed for good. */
  async drain(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()].map((lane) => lane.tail));
  }

  private laneFor(userId: string): Lane {
    let lane = this.lanes.get(userId);
    if (lane === undefined) {
      // Started on a later task so a provider that works synchronously never delays the reply.
      lane = { entries: [], tail: laterTask(), forgotten: false };
      this.lanes.set(userId, lane);
    }
    return lane;
  }

  private async process(userId: string, lane: Lane, entry: Entry): Promise<void> {
    // Dropped while waiting, or its user forgotten: nothing to do.
    if (this.order.has(entry)) {
      entry.inFlight = true;
      await this.store(entry, lane);
      lane.entries.splice(lane.entries.indexOf(entry), 1);
      this.remove(entry);
      this.report();
    }
    if (lane.entries.length === 0 && this.lanes.get(userId) === lane) this.lanes.delete(userId);
  }

  /** Attempts one write until it is stored, fails for good, or its user is forgotten. */
  private async store(entry: Entry, lane: Lane): Promise<void> {
    const { write } = entry;
    for (let attempt = 0; !lane.forgotten; attempt++) {
      try {
        await write.provider.add(write.userId, write.messages, write.metadata, { idempotencyKey: entry.idempotencyKey });
        return;
      } catch (error) {
        if (lane.forgotten) return;
        if (!isRetryable(error)) {
          this.options.onEvent?.({ kind: 'failed', userId: write.userId, provider: write.provider.provider, error });
          return;
        }
        this.options.onEvent?.({
          kind: 'retrying',
          userId: write.userId,
          provider: write.provider.provider,
          attempt: attempt + 1,
          outcome: outcomeOf(error),
          error,
        });
        const retryAfter = ProviderUnavailableError.isInstance(error) ? error.retryAfterMs : undefined;
        const waitUntil = Date.now() + Math.min(this.backoff.maxDelayMs, retryAfter ?? backoffDelayMs(this.backoff, attempt));
        while (!lane.forgotten && Date.now() < waitUntil) await delay(Math.min(FORGET_CHECK_MS, waitUntil - Date.now()));
      }
    }
  }

  private dropOldest(): void {
    for (const entry of this.order) {
      if (entry.inFlight) continue;
      const lane = this.lanes.get(entry.write.userId);
      if (lane) lane.entries.splice(lane.entries.indexOf(entry), 1);
      this.remove(entry);
      this.droppedCount++;
      this.options.onEvent?.({
        kind: 'dropped',
        userId: entry.write.userId,
        provider: entry.write.provider.provider,
        reason: 'queue full',
      });
      this.options.record?.({ kind: 'dropped', depth: this.order.size });
      return;
    }
  }

  private remove(entry: Entry): void {
    this.order.delete(entry);
    entry.settle();
  }

  private report(): void {
    this.options.record?.({ kind: 'depth', depth: this.order.size });
  }
}

/**
 * Typed errors say whether trying again may help; anything else (a client's own network error)
 * is retried, since a write the app promised must not be given up on a guess.
 */
function isRetryable(error: unknown): boolean {
  if (ProviderUnavailableError.isInstance(error)) return error.isRetryable;
  return !MemoryError.isInstance(error);
}

/** A failure with no answer from the store (a timeout, a lost connection) may still have been stored. */
function outcomeOf(error: unknown): 'unknown' | 'failed' {
  return ProviderUnavailableError.isInstance(error) && error.statusCode !== undefined ? 'failed' : 'unknown';
}
