import { iterateMemories, MemoryConfigurationError } from '@fastagentic/memory';
import { recordOf, type MemoryRecord } from './export-format.js';
import type { OpenedStore, StoreScope } from './opened-store.js';

/** The most a page may hold (MEMORY_LIMITS.maxLimit): fewest round trips. */
const PAGE_SIZE = 1_000;

/** The users to visit in a scope: those named, else every user the store lists. */
export function usersOf(store: OpenedStore, scope: StoreScope, users: readonly string[] | undefined): AsyncIterable<string> | readonly string[] {
  if (users !== undefined && users.length > 0) return users;
  if (scope.listUsers === undefined) {
    throw new MemoryConfigurationError('--user', `${store.description} cannot list its users: name them with --user`);
  }
  return scope.listUsers();
}

/**
 * Every memory of a store, scope by scope (long-term, then session) and user by user, each
 * user's newest first as the store pages them.
 */
export async function* readRecords(store: OpenedStore, users?: readonly string[]): AsyncGenerator<MemoryRecord> {
  for (const scope of await store.existingScopes()) {
    for await (const user of usersOf(store, scope, users)) {
      for await (const memory of iterateMemories(scope.provider, user, { limit: PAGE_SIZE })) yield recordOf(memory, scope.name);
    }
  }
}

/** How many memories `readRecords` will yield, where the store counts them (undefined otherwise). */
export async function countRecords(store: OpenedStore, users?: readonly string[]): Promise<number | undefined> {
  if (users !== undefined && users.length > 0) return undefined;
  let total = 0;
  for (const scope of await store.existingScopes()) {
    const count = await scope.countMemories();
    if (count === undefined) return undefined;
    total += count;
  }
  return total;
}
