import { MemoryConfigurationError } from '@fastagentic/memory';

/** 32 random bytes, as raw bytes or as base64 (standard or url-safe, padding optional). */
export type EncryptionKey = Uint8Array | string;

export interface EncryptionKeyOptions {
  /** One key. Shorthand for `{ keys: { [DEFAULT_KEY_ID]: key }, activeKeyId: DEFAULT_KEY_ID }`. */
  key?: EncryptionKey;
  /** Every key that may have written data, by id. Old keys stay here so their data still decrypts. */
  keys?: Readonly<Record<string, EncryptionKey>>;
  /** The key new writes use; must be one of `keys`. */
  activeKeyId?: string;
}

export interface ParsedEncryptionKeys {
  keys: Map<string, Uint8Array<ArrayBuffer>>;
  activeKeyId: string;
}

/** The id `{ key }` and FASTAGENTIC_ENCRYPTION_KEY are stored under; keep it when you move to `keys`. */
export const DEFAULT_KEY_ID = 'k1';
export const ENCRYPTION_KEY_ENV = 'FASTAGENTIC_ENCRYPTION_KEY';

/** What a key id may be: it is written into every envelope, between dots. */
export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HOW_TO_MAKE = 'generate one with `openssl rand -base64 32`';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return value.constructor?.name ?? 'an object';
  return typeof value;
}

/** Never echoes key material: messages name the option and say what is wrong with its shape. */
function parseKey(value: unknown, option: string): Uint8Array<ArrayBuffer> {
  if (value instanceof Uint8Array) {
    if (value.length !== 32) {
      throw new MemoryConfigurationError(option, `must be 32 bytes for AES-256, got ${value.length}; ${HOW_TO_MAKE}`);
    }
    return Uint8Array.from(value);
  }
  if (typeof value !== 'string') {
    throw new MemoryConfigurationError(
      option,
      `must be 32 bytes as a Uint8Array or a base64 string, got ${describe(value)}; ${HOW_TO_MAKE}`,
    );
  }
  const text = value.trim();
  if (!BASE64.test(text)) {
    throw new MemoryConfigurationError(option, `is not base64 (a passphrase is not a key); ${HOW_TO_MAKE}`);
  }
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''));
  } catch (cause) {
    throw new MemoryConfigurationError(option, `is not valid base64; ${HOW_TO_MAKE}`, { cause });
  }
  if (binary.length !== 32) {
    throw new MemoryConfigurationError(option, `must decode to 32 bytes for AES-256, got ${binary.length}; ${HOW_TO_MAKE}`);
  }
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

function environmentKey(): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[ENCRYPTION_KEY_ENV];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** Turns `{ key }`, `{ keys, activeKeyId }` or nothing (the environment) into validated key bytes. */
export function parseEncryptionKeys(options: EncryptionKeyOptions): ParsedEncryptionKeys {
  const { key, keys, activeKeyId } = options;
  if (key !== undefined && keys !== undefined) {
    throw new MemoryConfigurationError('key', 'give either key or keys with activeKeyId, not both');
  }
  if (keys === undefined) {
    if (activeKeyId !== undefined) throw new MemoryConfigurationError('activeKeyId', 'only applies together with keys');
    const fromEnvironment = key === undefined ? environmentKey() : undefined;
    if (key === undefined && fromEnvironment === undefined) {
      throw new MemoryConfigurationError('key', `no key given and ${ENCRYPTION_KEY_ENV} is not set; ${HOW_TO_MAKE}`);
    }
    const bytes =
      key === undefined ? parseKey(fromEnvironment, ENCRYPTION_KEY_ENV) : parseKey(key, 'key');
    return { keys: new Map([[DEFAULT_KEY_ID, bytes]]), activeKeyId: DEFAULT_KEY_ID };
  }
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) {
    throw new MemoryConfigurationError('keys', `must be an object of key id to key, got ${describe(keys)}`);
  }
  const parsed = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const [id, value] of Object.entries(keys)) {
    if (!KEY_ID.test(id)) {
      throw new MemoryConfigurationError('keys', `key id ${JSON.stringify(id)} must be 1-32 of A-Z a-z 0-9 _ -`);
    }
    parsed.set(id, parseKey(value, `keys.${id}`));
  }
  if (parsed.size === 0) throw new MemoryConfigurationError('keys', 'needs at least one key');
  if (typeof activeKeyId !== 'string' || !parsed.has(activeKeyId)) {
    throw new MemoryConfigurationError('activeKeyId', `must name one of keys (${[...parsed.keys()].join(', ')})`);
  }
  return { keys: parsed, activeKeyId };
}
