import { MemoryConfigurationError } from '@fastagentic/memory';
import { RedisMemoryProvider, type RedisMemoryOptions } from './redis-memory-provider.js';
import { isMissingPackage } from './missing-peer.js';
import { UpstashCommandRunner, type UpstashScriptClient } from './upstash-command-runner.js';

export interface UpstashRedisProviderOptions extends RedisMemoryOptions {
  /** UPSTASH_REDIS_REST_URL; with `token`, the provider creates its own client. */
  url?: string;
  /** UPSTASH_REDIS_REST_TOKEN. */
  token?: string;
  /** An @upstash/redis `Redis` you configured yourself (any of its entry points). */
  client?: UpstashScriptClient;
}

/**
 * Memory on Redis through Upstash's REST API (@upstash/redis): for Cloudflare Workers and other
 * edge runtimes. Same keys, scripts and encoding as RedisProvider, so both can share a database.
 * This entry point never imports ioredis or any Node built-in.
 */
export class UpstashRedisProvider extends RedisMemoryProvider {
  constructor(options: UpstashRedisProviderOptions) {
    let client: UpstashScriptClient;
    if (options.client) {
      if (options.url !== undefined || options.token !== undefined) {
        throw new MemoryConfigurationError('client', 'pass either client or url and token, not both');
      }
      client = options.client;
    } else {
      if (typeof options.url !== 'string' || !/^https?:\/\//.test(options.url)) {
        throw new MemoryConfigurationError('url', 'expected the REST URL (https://...)');
      }
      if (typeof options.token !== 'string' || options.token.length === 0) {
        throw new MemoryConfigurationError('token', 'expected the REST token');
      }
      client = lazyUpstashClient(options.url, options.token);
    }
    super('upstash-redis', new UpstashCommandRunner(client, 'upstash-redis'), options);
  }
}

/**
 * A client on @upstash/redis, imported on the first call: the package is an optional peer
 * (RedisProvider users do not install it), so a missing one is a configuration error naming it.
 */
function lazyUpstashClient(url: string, token: string): UpstashScriptClient {
  let connecting: Promise<UpstashScriptClient> | undefined;
  const connect = () =>
    (connecting ??= import('@upstash/redis/cloudflare').then(
      // Records are decoded here; the client's own JSON parsing of replies would only be undone.
      ({ Redis }) => new Redis({ url, token, automaticDeserialization: false }),
      (error: unknown) => {
        connecting = undefined;
        if (!isMissingPackage(error, '@upstash/redis')) throw error;
        throw new MemoryConfigurationError('url', 'UpstashRedisProvider needs the @upstash/redis package: npm install @upstash/redis', { cause: error });
      },
    ));
  return {
    evalsha: async (sha1, keys, args) => (await connect()).evalsha(sha1, keys, args),
    eval: async (script, keys, args) => (await connect()).eval(script, keys, args),
    hget: async (key, field) => (await connect()).hget(key, field),
    hvals: async (key) => (await connect()).hvals(key),
  };
}
