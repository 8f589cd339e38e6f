import { forgetUser, MemoryConfigurationError } from '@fastagentic/memory';
import { openCommandStore, type CommandContext } from './command-context.js';
import type { BackupResult, ScopeName } from './opened-store.js';

export interface StoreCommandOptions {
  store?: string;
  encryptionKey?: string;
}

export interface ForgetResult {
  store: string;
  /** Memories deleted, per user and store. */
  deleted: Array<{ userId: string; store: ScopeName; memories: number }>;
  total: number;
}

/** Deletes everything the store holds for each user (long-term and session memory), in each store's bulk delete. */
export async function forgetUsers(users: readonly string[], options: StoreCommandOptions, context: CommandContext): Promise<ForgetResult> {
  if (users.length === 0) throw new MemoryConfigurationError('--user', 'name at least one user to forget');
  const store = await openCommandStore(options, context, 'read');
  try {
    const deleted: ForgetResult['deleted'] = [];
    for (const scope of await store.existingScopes()) {
      for (const userId of users) deleted.push({ userId, store: scope.name, memories: await forgetUser(scope.provider, userId) });
    }
    return { store: store.description, deleted, total: deleted.reduce((sum, entry) => sum + entry.memories, 0) };
  } finally {
    await store.close();
  }
}

export interface ReindexResult {
  store: string;
  reindexed: Array<{ store: ScopeName; memories: number }>;
}

/** Rebuilds each scope's term index from the stored texts (after a `terms()` change, or to repair it). */
export async function reindexStore(options: StoreCommandOptions, context: CommandContext): Promise<ReindexResult> {
  const store = await openCommandStore(options, context, 'read');
  try {
    const reindexed: ReindexResult['reindexed'] = [];
    for (const scope of await store.existingScopes()) {
      if (scope.reindex === undefined) throw new MemoryConfigurationError('--store', `${store.description} indexes memories itself: there is nothing to reindex`);
      reindexed.push({ store: scope.name, memories: await scope.reindex() });
    }
    return { store: store.description, reindexed };
  } finally {
    await store.close();
  }
}

export interface BackupCommandResult extends BackupResult {
  store: string;
}

/** libSQL files: a checkpoint and a consistent copy. Other stores: the backend's own tool to use. */
export async function backupStore(output: string | undefined, options: StoreCommandOptions, context: CommandContext): Promise<BackupCommandResult> {
  const store = await openCommandStore(options, context, 'read');
  try {
    return { store: store.description, ...(await store.backup(output)) };
  } finally {
    await store.close();
  }
}
