import { STORED_FIELDS, withEncryption } from '@fastagentic/encryption';
import { MemoryConfigurationError, type MemoryProvider } from '@fastagentic/memory';
import type { ScopeName } from './opened-store.js';
import type { Env } from './store-location.js';

/** What opening a store needs beyond its location. */
export interface StoreOptions {
  env: Env;
  /** The option or variable the store came from, named in configuration errors. */
  option: string;
  /** Encrypts and decrypts as the servers do; empty or undefined: the store is read and written as stored. */
  encryptionKey: string | undefined;
  /** The option the key came from, named when it is refused. */
  encryptionKeyOption: string;
  /** `read`: the store must exist already (a missing libSQL file is an error, not a new empty one). */
  mode: 'read' | 'write';
}

/** The session TTL the servers use (SESSION_TTL_SECONDS, default one hour). */
export function sessionTtlFrom(env: Env): number {
  const ttl = Number(env.SESSION_TTL_SECONDS ?? 3600);
  if (!(Number.isFinite(ttl) && ttl > 0)) {
    throw new MemoryConfigurationError('SESSION_TTL_SECONDS', 'must be a positive number of seconds');
  }
  return ttl;
}

/** The metadata field a session filter reaches the backend as: the blind-index field once encrypted. */
export function sessionFieldFor(options: StoreOptions): string {
  return options.encryptionKey ? `${STORED_FIELDS.index}sessionId` : 'sessionId';
}

/** Wraps a scope's provider with the servers' encryption settings when a key is given. */
export function encryptedAsServers(provider: MemoryProvider, scope: ScopeName, options: StoreOptions): MemoryProvider {
  const key = options.encryptionKey;
  if (!key) return provider;
  try {
    return withEncryption(provider, {
      key,
      filterableFields: scope === 'session' ? ['sessionId'] : ['source', 'category', 'categories'],
    });
  } catch (error) {
    if (!MemoryConfigurationError.isInstance(error)) throw error;
    throw new MemoryConfigurationError(options.encryptionKeyOption, error.message, { cause: error });
  }
}
