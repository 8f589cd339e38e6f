import { MemoryConfigurationError, type CacheGenerationStore } from '@fastagentic/memory';
import { userKeys, validatePrefix } from './redis-key-layout.js';

/** The two commands the counter needs; an ioredis `Redis`/`Cluster` and an @upstash/redis `Redis` both have them. */
export interface GenerationCounterClient {
  get(key: string): Promise<unknown>;
  incr(key: string): Promise<number>;
}

export interface RedisCacheGenerationStoreOptions {
  client: GenerationCounterClient;
  /** The key prefix of the memories it guards. Default `memory:` (the providers' default). */
  prefix?: string;
}

/**
 * `withCache`'s per-user generation counters in Redis, shared by every process and Worker isolate
 * using the same Redis: `INCR <prefix>{<user>}:g` on each write, a `GET` before each cached read.
 * The key sits under the user's hash tag, in the same cluster slot as their memories.
 */
export class RedisCacheGenerationStore implements CacheGenerationStore {
  readonly scope = 'shared';
  private readonly client: GenerationCounterClient;
  private readonly prefix: string;

  constructor(options: RedisCacheGenerationStoreOptions) {
    if (typeof options?.client?.get !== 'function' || typeof options.client.incr !== 'function') {
      throw new MemoryConfigurationError('client', 'expected a Redis client with get and incr (ioredis or @upstash/redis)');
    }
    this.client = options.client;
    this.prefix = validatePrefix(options.prefix ?? 'memory:');
  }

  private key(userId: string): string {
    // `userKeys` encodes the id into the user's hash tag; the counter gets its own suffix there.
    return `${userKeys(this.prefix, userId).records.slice(0, -':r'.length)}:g`;
  }

  async get(userId: string): Promise<number> {
    const value = await this.client.get(this.key(userId));
    return value === null || value === undefined ? 0 : Number(value);
  }

  bump(userId: string): Promise<number> {
    return this.client.incr(this.key(userId));
  }
}
