import {
  MemoryError,
  ProviderUnavailableError,
  type MemoryProvider,
  type Message,
  type Metadata,
  type WriteQueueEvent,
} from '@fastagentic/memory';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, delay, type RetryPolicy } from '@fastagentic/memory/provider';
import { laterTask } from './later-task.js';
import type { OutboxJournal, OutboxRecord } from './outbox-journal.js';

/** One memory the app promised to store. */
export interface QueuedWrite {
  userId: string;
  /** The store's name in the app (`memory`, `sessionMemory`): journaled, so a replay finds the store again. */
  store: string;
  provider: MemoryProvider;
  messages: Message[];
  metadata?: Metadata;
  /**
   * When the write was promised (ms); default when it is queued. Sent with every attempt, so a
   * store's forget fence refuses it if the user was forgotten since.
   */
  promisedAt?: number;
}

export interface WriteBehindQueueOptions {
  /** Writes held at once across all users; past it a new write is refused (not remembered). Default 10 000. */
  maxQueued?: number;
  /** Bytes of message text and metadata (as JSON) held at once; past it a new write is refused. Default 32 MiB. */
  maxQueuedBytes?: number;
  /**
   * Where each promise is written before the reply goes out, and removed once stored, so a restart
   * can replay what a crash left (`replay`). Without one, queued writes live in process memory only.
   */
  journal?: OutboxJournal;
  /** Backoff between attempts of a write that failed retryably. Default: the core's retry policy. */
  backoff?: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>;
  /** Told about refusals, retries and permanent failures (already rate-limited by the caller's logger). */
  onEvent?: (event: WriteQueueLogEvent) => void;
  /** Queue depth and refusal counts, e.g. for Prometheus. */
  record?: (event: WriteQueueEvent) => void;
}

export type WriteQueueLogEvent =
  | { kind: 'dropped'; userId: string; provider: string; reason: 'queue full' | 'journal failed'; error?: unknown }
  | { kind: 'retrying'; userId: string; provider: string; attempt: number; outcome: 'unknown' | 'failed'; error: unknown }
  | { kind: 'failed'; userId: string; provider: string; error: unknown }
  | { kind: 'journal'; operation: 'remove' | 'replay'; error: unknown };

/** What `enqueue` promised: whether the write is remembered (journaled, when there is a journal), and when it is stored. */
export interface Enqueued {
  /** False when the queue was full or the journal refused it: the reply must say so. */
  remembered: Promise<boolean>;
  /** Settles once stored, refused, failed for good or forgotten (pass it to `waitUntil` on Workers). Never rejects. */
  stored: Promise<void>;
}

/** A user's writes paused by `hold`: nothing is attempted until it is released or discarded. */
export interface QueueHold {
  /** Removes the held writes (from the journal too) and resumes the user's lane. Resolves to the writes removed. */
  discard(): Promise<number>;
  /** Resumes the held writes as they were. */
  release(): void;
}

/** The last attempt to write to one store (a write refused for good aside): what `/health` reports beside the read probe. */
export interface StoreWriteState {
  outcome: 'stored' | 'failed';
  /** When it happened (ms since the epoch). */
  at: number;
  error?: unknown;
}

interface Entry {
  write: QueuedWrite;
  /** Sent with every attempt (and journaled), so a retry or a replay stores the memory once. */
  key: string;
  promisedAt: number;
  bytes: number;
  /** Resolves once the journal holds the write; false when it could not (then nothing is stored). */
  journaled: Promise<boolean>;
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
   * Set when the user was forgotten: the lane stops retrying its in-flight write. A flag rather
   * than an AbortSignal: on Workers a forget arrives in another request, which may not cancel this
   * request's timers.
   */
  forgotten: boolean;
  /** Set while a forget runs: no attempt starts until it settles. */
  held?: Promise<void>;
  /** The add call in progress, which a hold waits for. */
  attempt?: Promise<unknown>;
}

/** Longest sleep between two looks at a lane's `forgotten` flag while backing off. */
const FORGET_CHECK_MS = 100;

const DEFAULT_MAX_QUEUED = 10_000;
const DEFAULT_MAX_QUEUED_BYTES = 32 * 1024 * 1024;

const REMEMBERED = Promise.resolve(true);
const NOT_REMEMBERED: Enqueued = { remembered: Promise.resolve(false), stored: Promise.resolve() };
const encoder = new TextEncoder();

/** What the journal keeps of a write, and what its size in the queue is measured on. */
function payloadOf(write: QueuedWrite): string {
  return JSON.stringify(write.metadata === undefined ? { messages: write.messages } : { messages: write.messages, metadata: write.metadata });
}

/**
 * Stores what the app promised to remember after a reply, without losing it to a passing outage
 * or (with a journal) a crash: writes are kept in order per user, retried with backoff (and one
 * idempotency key each) until the store takes them, bounded in count and bytes (a write past the
 * bound is refused and the reply says so), and removed when their user is forgotten, so a retry
 * can never undo a forget.
 */
export class WriteBehindQueue {
  private readonly lanes = new Map<string, Lane>();
  /** Every waiting or in-flight entry in arrival order: the first is the oldest promise. */
  private readonly order = new Set<Entry>();
  private readonly maxQueued: number;
  private readonly maxQueuedBytes: number;
  private readonly backoff: RetryPolicy;
  private readonly journal: OutboxJournal | undefined;
  private readonly lastWrites = new Map<string, StoreWriteState>();
  private heldBytes = 0;
  private droppedCount = 0;

  constructor(private readonly options: WriteBehindQueueOptions = {}) {
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    if (!(Number.isInteger(this.maxQueued) && this.maxQueued > 0)) {
      throw new RangeError('maxQueued must be a positive integer');
    }
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    if (!(Number.isInteger(this.maxQueuedBytes) && this.maxQueuedBytes > 0)) {
      throw new RangeError('maxQueuedBytes must be a positive integer');
    }
    this.backoff = { ...DEFAULT_RETRY_POLICY, ...options.backoff, maxRetries: Number.POSITIVE_INFINITY };
    this.journal = options.journal;
  }

  /** Writes waiting or in flight. */
  get depth(): number {
    return this.order.size;
  }

  /** Bytes of the writes waiting or in flight (their messages and metadata as JSON). */
  get bytes(): number {
    return this.heldBytes;
  }

  /** How long the oldest waiting write has waited, in ms; 0 when none waits. */
  get oldestAgeMs(): number {
    for (const entry of this.order) return Math.max(0, Date.now() - entry.promisedAt);
    return 0;
  }

  /** Writes refused (not remembered) because the queue was full or the journal failed, since the app started. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** The last write attempt to the named store, if any. */
  lastWrite(store: string): StoreWriteState | undefined {
    return this.lastWrites.get(store);
  }

  /**
   * Queues a write. `remembered` resolves once it is journaled (at once without a journal), or to
   * false when it was refused; `stored` settles once it is stored, refused or failed for good.
   */
  enqueue(write: QueuedWrite): Enqueued {
    const payload = payloadOf(write);
    const bytes = encoder.encode(payload).byteLength;
    if (!this.hasRoom(bytes)) {
      this.refuse(write, 'queue full');
      return NOT_REMEMBERED;
    }
    const key = crypto.randomUUID();
    const promisedAt = write.promisedAt ?? Date.now();
    const journaled = this.journal
      ? this.append({ key, userId: write.userId, store: write.store, promisedAt, payload }, write)
      : REMEMBERED;
    const stored = this.admit(write, key, promisedAt, bytes, journaled);
    return { remembered: journaled, stored };
  }

  /**
   * Whether a write like this one would be queued now; when not, it is refused as `enqueue` would
   * refuse it (logged and counted). For a promise whose writes are queued later (memory formation).
   */
  accepts(write: QueuedWrite): boolean {
    if (this.hasRoom(encoder.encode(payloadOf(write)).byteLength)) return true;
    this.refuse(write, 'queue full');
    return false;
  }

  private hasRoom(bytes: number): boolean {
    return this.order.size < this.maxQueued && this.heldBytes + bytes <= this.maxQueuedBytes;
  }

  /**
   * Queues what an earlier process left in the journal, oldest first, with the keys it was promised
   * with. Call it before serving, so the user's older writes stay ahead of new ones. Records for a
   * store the app no longer has are left in the journal. Resolves to the writes queued.
   */
  async replay(storeNamed: (name: string) => MemoryProvider | undefined): Promise<number> {
    if (!this.journal) return 0;
    const queued = new Set<string>();
    for (const entry of this.order) queued.add(entry.key);
    let replayed = 0;
    for (const record of await this.journal.pending()) {
      const provider = storeNamed(record.store);
      if (provider === undefined || queued.has(record.key)) continue;
      let parsed: { messages: Message[]; metadata?: Metadata };
      try {
        parsed = JSON.parse(record.payload) as typeof parsed;
      } catch (error) {
        this.options.onEvent?.({ kind: 'journal', operation: 'replay', error });
        continue;
      }
      const write: QueuedWrite = { userId: record.userId, store: record.store, provider, ...parsed };
      void this.admit(write, record.key, record.promisedAt, encoder.encode(record.payload).byteLength, REMEMBERED);
      replayed++;
    }
    return replayed;
  }

  /**
   * Pauses the user's writes: waits for an attempt in progress, and starts none until the hold is
   * released (the forget failed: everything stays queued) or discarded (it succeeded).
   */
  async hold(userId: string): Promise<QueueHold> {
    const lane = this.lanes.get(userId);
    if (lane === undefined) return { discard: async () => 0, release: () => {} };
    let resume!: () => void;
    const held = new Promise<void>((resolve) => (resume = resolve));
    lane.held = held;
    await lane.attempt?.catch(() => undefined);
    const release = () => {
      if (lane.held === held) lane.held = undefined;
      resume();
    };
    return {
      release,
      discard: async () => {
        lane.forgotten = true;
        // Writes queued after the forget are new memories: they start a lane of their own.
        if (this.lanes.get(userId) === lane) this.lanes.delete(userId);
        const removed = lane.entries.splice(0).filter((entry) => this.order.has(entry));
        await this.unjournal(removed.map((entry) => entry.key));
        for (const entry of removed) this.remove(entry);
        this.report();
        release();
        await lane.tail;
        return removed.length;
      },
    };
  }

  /** Removes the user's queued writes at once (see `hold` to remove them only after a forget succeeded). */
  async forget(userId: string): Promise<number> {
    return (await this.hold(userId)).discard();
  }

  /** Resolves once every write queued so far is stored, refused or failed for good. */
  async drain(): Promise<void> {
    while (this.lanes.size > 0) await Promise.all([...this.lanes.values()].map((lane) => lane.tail));
  }

  /**
   * Drains for at most `timeoutMs`; resolves to the writes still queued then (0: all done). What is
   * left stays in the journal for the next start.
   */
  async drainFor(timeoutMs: number): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.drain(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return this.order.size;
  }

  private admit(write: QueuedWrite, key: string, promisedAt: number, bytes: number, journaled: Promise<boolean>): Promise<void> {
    let settle!: () => void;
    const stored = new Promise<void>((resolve) => (settle = resolve));
    const entry: Entry = { write, key, promisedAt, bytes, journaled, settle };
    this.order.add(entry);
    this.heldBytes += bytes;
    const lane = this.laneFor(write.userId);
    lane.entries.push(entry);
    this.report();
    lane.tail = lane.tail.then(() => this.process(write.userId, lane, entry));
    return stored;
  }

  private async append(record: OutboxRecord, write: QueuedWrite): Promise<boolean> {
    try {
      await this.journal!.append(record);
      return true;
    } catch (error) {
      this.refuse(write, 'journal failed', error);
      return false;
    }
  }

  private async unjournal(keys: string[]): Promise<void> {
    if (!this.journal || keys.length === 0) return;
    try {
      await this.journal.remove(keys);
    } catch (error) {
      // Left in the journal, the write is replayed with its key at the next start: stored once.
      this.options.onEvent?.({ kind: 'journal', operation: 'remove', error });
    }
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
    // Forgotten while waiting: nothing to do.
    if (this.order.has(entry)) {
      // A write the journal refused was answered as not remembered: it is not stored either.
      if (await entry.journaled) {
        await this.store(entry, lane);
        if (this.order.has(entry)) await this.unjournal([entry.key]);
      }
      const at = lane.entries.indexOf(entry);
      if (at >= 0) lane.entries.splice(at, 1);
      if (this.order.has(entry)) {
        this.remove(entry);
        this.report();
      }
    }
    if (lane.entries.length === 0 && this.lanes.get(userId) === lane) this.lanes.delete(userId);
  }

  /** Attempts one write until it is stored, fails for good, or its user is forgotten. */
  private async store(entry: Entry, lane: Lane): Promise<void> {
    const { write } = entry;
    for (let attempt = 0; ; attempt++) {
      while (lane.held) await lane.held;
      if (lane.forgotten) return;
      try {
        // promisedAt: a store with a forget fence refuses it if the user was forgotten since.
        lane.attempt = write.provider.add(write.userId, write.messages, write.metadata, { idempotencyKey: entry.key, promisedAt: entry.promisedAt });
        await lane.attempt;
        this.lastWrites.set(write.store, { outcome: 'stored', at: Date.now() });
        return;
      } catch (error) {
        if (lane.forgotten) return;
        if (!isRetryable(error)) {
          // The write itself was refused (too long, invalid): not a sign that the store refuses writes.
          this.options.onEvent?.({ kind: 'failed', userId: write.userId, provider: write.provider.provider, error });
          return;
        }
        this.lastWrites.set(write.store, { outcome: 'failed', at: Date.now(), error });
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
      } finally {
        lane.attempt = undefined;
      }
    }
  }

  private refuse(write: QueuedWrite, reason: 'queue full' | 'journal failed', error?: unknown): void {
    this.droppedCount++;
    this.options.onEvent?.({
      kind: 'dropped',
      userId: write.userId,
      provider: write.provider.provider,
      reason,
      ...(error === undefined ? {} : { error }),
    });
    this.options.record?.({ kind: 'dropped', depth: this.order.size });
  }

  private remove(entry: Entry): void {
    if (this.order.delete(entry)) this.heldBytes -= entry.bytes;
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
