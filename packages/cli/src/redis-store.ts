import { RedisProvider } from '@fastagentic/redis';
import type { Redis } from 'ioredis';
import type { OpenedStore, ScopeName, StoreScope } from './opened-store.js';
import type { StoreLocation } from './store-location.js';
import { encryptedAsServers, sessionFieldFor, sessionTtlFrom, type StoreOptions } from './store-options.js';

/** Adds in flight at once: one connection pipelines them, in order. */
const REDIS_WRITE_CONCURRENCY = 64;

/**
 * Redis with the servers' two key prefixes: long-term memory (`memory:`) and session memory
 * (`session:`, with the session TTL). Users are found by SCAN over the documented key layout
 * `<prefix>{<base64url user id>}:t` (the timeline key every user with memories has).
 */
export function openRedisStore(location: StoreLocation, options: StoreOptions): OpenedStore {
  const sessionField = sessionFieldFor(options);
  const providers: RedisProvider[] = [];
  const open = (name: ScopeName, prefix: string, ttlSeconds?: number): StoreScope => {
    const raw = new RedisProvider({ url: location.url, prefix, ttlSeconds, sessionField });
    providers.push(raw);
    // A provider made from a URL owns a plain Redis client (not a Cluster): SCAN reaches every key.
    const client = raw.client as Redis;
    const timelines = async () => timelineKeys(client, prefix);
    return {
      name,
      provider: encryptedAsServers(raw, name, options),
      listUsers: async function* () {
        yield* [...(await timelines()).keys()];
      },
      countMemories: async () => sum(await memoryCounts(client, await timelines())),
      reindex: async () => {
        const keys = await timelines();
        for (const user of keys.keys()) await raw.reindexUser(user);
        return sum(await memoryCounts(client, keys));
      },
    };
  };
  const scopes = [open('memory', location.prefix), open('session', location.sessionPrefix, sessionTtlFrom(options.env))];
  return {
    kind: 'redis',
    description: `Redis ${location.display} (${location.prefix}*, ${location.sessionPrefix}*)`,
    idempotentImport: true,
    writeConcurrency: REDIS_WRITE_CONCURRENCY,
    addsInOrder: !options.encryptionKey,
    existingScopes: async () => scopes,
    scope: (name) => scopes.find((scope) => scope.name === name),
    storageBytes: async () => undefined,
    backup: async () => ({
      written: false,
      detail: 'redis-cli -u "$REDIS_URL" BGSAVE, then copy the dump.rdb it writes (or use your host\'s snapshots)',
    }),
    close: async () => {
      await Promise.all(providers.map((provider) => provider.close()));
    },
  };
}

/** Every user's timeline key, by user id, sorted by user id. */
async function timelineKeys(client: Redis, prefix: string): Promise<Map<string, string>> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}{*}:t`;
  const found = new Map<string, string>();
  await connected(client);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    for (const key of keys) {
      const tag = key.slice(prefix.length + 1, key.length - '}:t'.length);
      // SCAN may return a key twice; a key of another layout that matches the pattern is not a user's.
      if (/^[A-Za-z0-9_-]+$/.test(tag)) found.set(Buffer.from(tag, 'base64url').toString('utf8'), key);
    }
    cursor = next;
  } while (cursor !== '0');
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The provider's client queues nothing while connecting (it fails fast instead): wait for it. */
async function connected(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within 10 s (status ${client.status})`)), 10_000);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function memoryCounts(client: Redis, keys: Map<string, string>): Promise<number[]> {
  if (keys.size === 0) return [];
  const pipeline = client.pipeline();
  for (const key of keys.values()) pipeline.zcard(key);
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, count]) => {
    if (error) throw error;
    return Number(count);
  });
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
