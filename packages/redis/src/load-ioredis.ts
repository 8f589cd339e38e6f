import { createRequire } from 'node:module';
import { MemoryConfigurationError } from '@fastagentic/memory';
import type * as Ioredis from 'ioredis';
import { isMissingPackage } from './missing-peer.js';

/**
 * ioredis, loaded when a provider first needs it: it is an optional peer (Upstash users do not
 * install it), so a missing one must be a configuration error naming it, not a failed import of
 * the whole package.
 */
export function loadIoredis(option: string): typeof Ioredis {
  try {
    return createRequire(import.meta.url)('ioredis') as typeof Ioredis;
  } catch (error) {
    if (isMissingPackage(error, 'ioredis')) {
      throw new MemoryConfigurationError(option, 'RedisProvider needs the ioredis package: npm install ioredis', { cause: error });
    }
    throw error;
  }
}
