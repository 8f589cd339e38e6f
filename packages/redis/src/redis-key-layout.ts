import { MemoryConfigurationError } from '@fastagentic/memory';

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The prefix is pasted into keys as given, so it must not hold a hash tag of its own: Redis
 * Cluster would then hash every user to the prefix's slot, or split a user's keys.
 */
export function validatePrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new MemoryConfigurationError('prefix', 'must be a non-empty string such as "memory:"');
  }
  if (prefix.includes('{') || prefix.includes('}')) {
    throw new MemoryConfigurationError('prefix', 'must not contain "{" or "}" (the user id is the hash tag)');
  }
  return prefix;
}

export interface UserKeys {
  /** Hash: memory id -> record JSON. */
  records: string;
  /** Sorted set: memory id scored by sequence, for newest-first pages. */
  timeline: string;
}

/**
 * A user's keys: `<prefix>{<base64url of the UTF-8 user id>}:r` and `...:t`. The id is encoded,
 * so no id can spell another user's key, a separator or a pattern; the braces make it the hash
 * tag, so both keys live in one cluster slot.
 */
export function userKeys(prefix: string, userId: string): UserKeys {
  const tag = `${prefix}{${base64url(new TextEncoder().encode(userId))}}`;
  return { records: `${tag}:r`, timeline: `${tag}:t` };
}
