import type { MemoryProvider } from '@fastagentic/memory';
import type { StoreKind } from './store-location.js';

/** `memory`: long-term memory. `session`: the servers' session memory (libSQL and Redis keep one beside it). */
export type ScopeName = 'memory' | 'session';

/** One memory store at a location: the long-term one or the session one. */
export interface StoreScope {
  readonly name: ScopeName;
  /** The store as the servers use it (encrypted when a key is given). */
  readonly provider: MemoryProvider;
  /**
   * Every user holding memories here, each once, in a stable order; undefined where the backend
   * cannot list its users (Mem0, Zep): commands then need `--user`.
   */
  readonly listUsers: (() => AsyncIterable<string>) | undefined;
  /** How many memories the store holds, from its own counters; undefined where it keeps none. */
  countMemories(): Promise<number | undefined>;
  /** Rebuilds the term index from the stored texts; resolves to how many memories were indexed. */
  reindex: (() => Promise<number>) | undefined;
}

export interface BackupResult {
  /** True when this tool wrote the backup; false when it names the tool to use instead. */
  written: boolean;
  /** The file written, or the command to run. */
  detail: string;
  bytes?: number;
}

/** A store location opened: its scopes, and what only its backend can do. */
export interface OpenedStore {
  readonly kind: StoreKind;
  /** Where it is, without secrets. */
  readonly description: string;
  /** False for Mem0 and Zep: a repeated import stores again there. */
  readonly idempotentImport: boolean;
  /** Adds kept in flight at once while writing: the store's batch size where it batches. */
  readonly writeConcurrency: number;
  /**
   * Concurrent adds are stored in the order they were issued (libSQL queues them into one
   * transaction, Redis pipelines them on one connection). Where not (PostgreSQL's pool, the
   * encryption step before any store), a user's adds are written one at a time to keep their order.
   */
  readonly addsInOrder: boolean;
  /** The scopes that hold data (reading): libSQL's session tables only once they exist. */
  existingScopes(): Promise<StoreScope[]>;
  /** The scope to write records of that name to; undefined where this backend keeps no such store. */
  scope(name: ScopeName): StoreScope | undefined;
  /** Bytes the backend uses on disk, where it can tell cheaply. */
  storageBytes(): Promise<number | undefined>;
  backup(destination: string | undefined): Promise<BackupResult>;
  close(): Promise<void>;
}
