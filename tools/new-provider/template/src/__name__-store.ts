import type { Memory } from '@fastagentic/memory';

/** One memory as the backend keeps it. */
export interface StoredMemory {
  memory: Memory;
  /** The key of the add that stored it, so a repeated add with that key stores nothing new. */
  idempotencyKey?: string;
}

/**
 * What the provider needs from the backend, one method per round trip. `userKey` is the
 * base64url of the user id: put it into keys, paths or parameters, never the raw id.
 * Replace `MapStore` with calls to the service's client.
 */
export interface __Pascal__Store {
  /**
   * Stores `stored` unless the user already has a memory with its idempotency key, in one atomic
   * step (a real service: a conditional write); resolves to the id of the memory the key maps to.
   */
  insert(userKey: string, stored: StoredMemory): Promise<string>;
  /** The user's memories, newest first. */
  list(userKey: string): Promise<StoredMemory[]>;
  /** Whether the user had that memory. */
  remove(userKey: string, memoryId: string): Promise<boolean>;
  /** How many memories the user had. */
  removeAll(userKey: string): Promise<number>;
}

/** The backend until the service's client is wired in: memories in a Map per user key, in this process. */
export class MapStore implements __Pascal__Store {
  private readonly users = new Map<string, StoredMemory[]>();

  async insert(userKey: string, stored: StoredMemory): Promise<string> {
    const memories = this.users.get(userKey) ?? [];
    const key = stored.idempotencyKey;
    const earlier = key === undefined ? undefined : memories.find((item) => item.idempotencyKey === key);
    if (earlier) return earlier.memory.id;
    memories.unshift(structuredClone(stored));
    this.users.set(userKey, memories);
    return stored.memory.id;
  }

  async list(userKey: string): Promise<StoredMemory[]> {
    return structuredClone(this.users.get(userKey) ?? []);
  }

  async remove(userKey: string, memoryId: string): Promise<boolean> {
    const memories = this.users.get(userKey) ?? [];
    const index = memories.findIndex((stored) => stored.memory.id === memoryId);
    if (index < 0) return false;
    memories.splice(index, 1);
    return true;
  }

  async removeAll(userKey: string): Promise<number> {
    const count = this.users.get(userKey)?.length ?? 0;
    this.users.delete(userKey);
    return count;
  }
}
