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
  /** Sorted set (scores 0): one member per (term, memory), `term \0 seq \0 tf \0 length`. */
  postings: string;
  /** Hash: the index's terms version and the user's total term count. */
  stats: string;
  /** Hash: sequence (14 hex digits) -> the memory's terms (`length \0 term \0 tf ...`), for deletes and capped searches. */
  terms: string;
  /** Hash: idempotency key -> memory id, and back. */
  idempotency: string;
  /** Sorted set (scores 0): `sessionId \0 seq \0 id` per memory with a sessionId, newest last within a session. */
  sessions: string;
  /** Hash: memory id -> its versions once it has changed, one JSON array a line (kept after its delete). */
  history: string;
  /**
   * String: when the user was last forgotten (ms), the forget fence. The one key deleteAll leaves:
   * an add promised before it is refused.
   */
  fence: string;
  /** All of the above, in the order the Lua scripts expect them as KEYS. */
  all: string[];
}

/**
 * A user's keys: `<prefix>{<base64url of the UTF-8 user id>}:` and one letter (r t x s d k n h),
 * eight whatever the user stores, and `f`, the forget fence, once the user was forgotten. The id is encoded, so no id can spell another user's key, a
 * separator or a pattern; the braces make it the hash tag, so all keys live in one cluster slot.
 */
export function userKeys(prefix: string, userId: string): UserKeys {
  const tag = `${prefix}{${base64url(new TextEncoder().encode(userId))}}`;
  const keys = {
    records: `${tag}:r`,
    timeline: `${tag}:t`,
    postings: `${tag}:x`,
    stats: `${tag}:s`,
    terms: `${tag}:d`,
    idempotency: `${tag}:k`,
    sessions: `${tag}:n`,
    history: `${tag}:h`,
    fence: `${tag}:f`,
  };
  return {
    ...keys,
    all: [keys.records, keys.timeline, keys.postings, keys.stats, keys.terms, keys.idempotency, keys.sessions, keys.history, keys.fence],
  };
}
