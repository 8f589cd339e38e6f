import { MemoryConfigurationError } from '@fastagentic/memory';
import type { Cluster, Redis } from 'ioredis';
import { IoredisCommandRunner } from './ioredis-command-runner.js';
import { loadIoredis } from './load-ioredis.js';
import { RedisMemoryProvider, type RedisMemoryOptions } from './redis-memory-provider.js';

export interface RedisProviderOptions extends RedisMemoryOptions {
  /** `redis://` or `rediss://` URL; the provider then creates (and `close` quits) its own client. */
  url?: string;
  /** An ioredis `Redis` or `Cluster` you configured yourself; `close` leaves it open. */
  client?: Redis | Cluster;
}

/**
 * Memory on Redis through ioredis (Node). Every operation is one Lua script call; a user's keys
 * share a hash tag, so a `Cluster` client works too.
 *
 * A client made from `url` fails fast while Redis is down (no offline queue, no resending after a
 * dropped connection) with a retryable ProviderUnavailableError, and reconnects on its own.
 */
export class RedisProvider extends RedisMemoryProvider {
  readonly client: Redis | Cluster;
  private readonly ownsClient: boolean;

  constructor(options: RedisProviderOptions) {
    if ((options.url === undefined) === (options.client === undefined)) {
      throw new MemoryConfigurationError('url', 'pass exactly one of url and client');
    }
    let client: Redis | Cluster;
    let firstAttempt: Promise<void> | undefined;
    if (options.client) {
      client = options.client;
    } else {
      if (typeof options.url !== 'string' || !/^rediss?:\/\//.test(options.url)) {
        throw new MemoryConfigurationError('url', 'expected a redis:// or rediss:// URL');
      }
      const { Redis } = loadIoredis('url');
      const owned = new Redis(options.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 5_000,
        commandTimeout: 10_000,
        retryStrategy: (attempt) => Math.min(attempt * 100, 1_000),
      });
      // Errors reach callers as rejected calls; without a listener ioredis would also log them.
      owned.on('error', () => undefined);
      firstAttempt = new Promise<void>((resolve) => {
        const settle = () => {
          owned.off('ready', settle);
          owned.off('close', settle);
          resolve();
        };
        owned.once('ready', settle);
        owned.once('close', settle);
      });
      client = owned;
    }
    super('redis', new IoredisCommandRunner(client, 'redis', firstAttempt), options);
    this.client = client;
    this.ownsClient = options.client === undefined;
  }

  /** Quits the client the provider created from `url`; a client passed in is left to its owner. */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.quit().catch(() => this.client.disconnect());
  }
}
