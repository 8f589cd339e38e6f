import { iterateMemories } from '@fastagentic/memory';
import { openCommandStore, type CommandContext } from './command-context.js';
import type { ScopeName } from './opened-store.js';
import { startProgressBar } from './progress-bar.js';
import { countRecords, usersOf } from './read-records.js';

export interface StatsOptions {
  store?: string;
  users?: string[];
  encryptionKey?: string;
}

export interface ScopeStats {
  store: ScopeName;
  users: number;
  memories: number;
  /** UTF-8 bytes of the memories' text and metadata JSON, as read (decrypted when a key is given). */
  bytes: number;
}

export interface StatsResult {
  store: string;
  scopes: ScopeStats[];
  users: number;
  memories: number;
  bytes: number;
  /** What the backend uses on disk (libSQL pages, PostgreSQL relations), where it tells cheaply. */
  storageBytes: number | null;
}

const encoder = new TextEncoder();

/** Counts users, memories and bytes by reading every memory, as an export would. */
export async function storeStats(options: StatsOptions, context: CommandContext): Promise<StatsResult> {
  const store = await openCommandStore(options, context, 'read');
  try {
    const bar = startProgressBar('stats', await countRecords(store, options.users), context.progress);
    const scopes: ScopeStats[] = [];
    let read = 0;
    try {
      for (const scope of await store.existingScopes()) {
        const stats: ScopeStats = { store: scope.name, users: 0, memories: 0, bytes: 0 };
        for await (const user of usersOf(store, scope, options.users)) {
          let found = 0;
          for await (const memory of iterateMemories(scope.provider, user, { limit: 1_000 })) {
            found++;
            stats.bytes += encoder.encode(memory.memory).length + encoder.encode(JSON.stringify(memory.metadata)).length;
            bar.update(++read);
          }
          stats.memories += found;
          if (found > 0) stats.users++;
        }
        scopes.push(stats);
      }
    } finally {
      bar.stop();
    }
    const total = (field: 'users' | 'memories' | 'bytes') => scopes.reduce((sum, scope) => sum + scope[field], 0);
    return {
      store: store.description,
      scopes,
      users: total('users'),
      memories: total('memories'),
      bytes: total('bytes'),
      storageBytes: (await store.storageBytes()) ?? null,
    };
  } finally {
    await store.close();
  }
}
