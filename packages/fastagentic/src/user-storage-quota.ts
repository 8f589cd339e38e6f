import { iterateMemories, MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';
import { MEMORY_LIMITS } from '@fastagentic/memory/provider';
import { QuotaExceededError } from './quota-exceeded-error.js';

export interface StorageQuotaOptions {
  /** Long-term memories a user may hold. Default 10 000. */
  maxMemories?: number;
  /** UTF-8 bytes of memory text and metadata (as JSON) a user may hold. Default 8 MiB. */
  maxBytes?: number;
  /**
   * How long a user's count is trusted before it is read from the store again, in ms: bounds the
   * drift from writes other instances made, memories a store expired, and writes that failed after
   * they were counted. Default 600 000 (10 min).
   */
  recountAfterMs?: number;
  /** Users whose counts are kept; past it the least recently seen is dropped (and counted again). Default 100 000. */
  maxTrackedUsers?: number;
}

interface Usage {
  memories: number;
  bytes: number;
  countedAt: number;
}

const DEFAULTS = { maxMemories: 10_000, maxBytes: 8 * 1024 * 1024, recountAfterMs: 600_000, maxTrackedUsers: 100_000 };

/** UTF-8 length of a string, without encoding it. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
}

/** What a memory counts against the byte quota: its text and its metadata as JSON, in UTF-8. */
export function memoryBytes(text: string, metadata: Record<string, unknown> | undefined): number {
  return utf8Length(text) + (metadata === undefined ? 0 : utf8Length(JSON.stringify(metadata)));
}

/**
 * Per-user counts of long-term memories and bytes, so a write is checked without reading the user's
 * memories. A user's count is read from the store (every page of `getAll`) on the user's first
 * write in this process, and again after `recountAfterMs`; in between, the App adds and subtracts
 * what it writes and deletes. So a restart loses nothing (the store is the truth), and several
 * instances each hold a user to the quota as it stood at their last count plus their own writes.
 */
export class UserStorageQuota {
  readonly maxMemories: number;
  readonly maxBytes: number;
  private readonly recountAfterMs: number;
  private readonly maxTrackedUsers: number;
  /** In order of last use, oldest first. */
  private readonly usage = new Map<string, Usage>();

  constructor(
    private readonly memory: MemoryProvider,
    options: StorageQuotaOptions = {},
  ) {
    const settings = { ...DEFAULTS, ...options };
    for (const name of ['maxMemories', 'maxBytes', 'recountAfterMs', 'maxTrackedUsers'] as const) {
      if (!(Number.isInteger(settings[name]) && settings[name] >= 1)) {
        throw new MemoryConfigurationError(`storageQuota.${name}`, 'must be a positive integer');
      }
    }
    this.maxMemories = settings.maxMemories;
    this.maxBytes = settings.maxBytes;
    this.recountAfterMs = settings.recountAfterMs;
    this.maxTrackedUsers = settings.maxTrackedUsers;
  }

  /** Throws QuotaExceededError when the user has no room left for another memory. */
  async ensureRoom(userId: string): Promise<void> {
    this.refuseOver(await this.usageOf(userId), 0);
  }

  /** Counts a memory of `bytes` for the user, or throws QuotaExceededError if it would not fit. */
  async reserve(userId: string, bytes: number): Promise<void> {
    const usage = await this.usageOf(userId);
    this.refuseOver(usage, bytes);
    usage.memories++;
    usage.bytes += bytes;
  }

  /**
   * Counts a memory written without asking (a chat's exchange, once the chat was let in), when the
   * user's count is known; otherwise the next count reads it from the store.
   */
  added(userId: string, bytes: number): void {
    const usage = this.usage.get(userId);
    if (usage === undefined) return;
    usage.memories++;
    usage.bytes += bytes;
  }

  /** Takes back a memory that was counted and then deleted (or whose write failed). */
  removed(userId: string, bytes: number): void {
    const usage = this.usage.get(userId);
    if (usage === undefined) return;
    usage.memories = Math.max(0, usage.memories - 1);
    usage.bytes = Math.max(0, usage.bytes - bytes);
  }

  /** After the user's memories were erased: the next write counts again (an empty user is one page). */
  forget(userId: string): void {
    this.usage.delete(userId);
  }

  private refuseOver(usage: Usage, bytes: number): void {
    if (usage.memories >= this.maxMemories) throw new QuotaExceededError('memories', this.maxMemories);
    if (usage.bytes + bytes > this.maxBytes) throw new QuotaExceededError('bytes', this.maxBytes);
  }

  private async usageOf(userId: string): Promise<Usage> {
    const known = this.usage.get(userId);
    if (known !== undefined && Date.now() - known.countedAt < this.recountAfterMs) {
      this.usage.delete(userId);
      this.usage.set(userId, known);
      return known;
    }
    return this.count(userId);
  }

  /**
   * Reads the user's count from the store. Concurrent first writes each count (a Worker cancels a
   * request that waits on another request's I/O, so a count is never shared), and the first count
   * to finish is the one kept: later ones use it, so the writes in between are not forgotten.
   */
  private async count(userId: string): Promise<Usage> {
    const started = Date.now();
    const usage: Usage = { memories: 0, bytes: 0, countedAt: started };
    for await (const memory of iterateMemories(this.memory, userId, { limit: MEMORY_LIMITS.maxLimit })) {
      usage.memories++;
      usage.bytes += memoryBytes(memory.memory, memory.metadata);
    }
    const finished = this.usage.get(userId);
    if (finished !== undefined && finished.countedAt >= started) return finished;
    this.usage.delete(userId);
    if (this.usage.size >= this.maxTrackedUsers) this.usage.delete(this.usage.keys().next().value!);
    this.usage.set(userId, usage);
    return usage;
  }
}
