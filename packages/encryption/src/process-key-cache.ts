import { encodeBase64Url } from './base64url.js';
import type { CryptoPrimitives } from './crypto-primitives.js';

/** Derived keys (and the per-user term entries built on them) kept by this process; oldest dropped first. */
const CAPACITY = 2_048;

const caches = new WeakMap<CryptoPrimitives, Map<string, unknown>>();

/**
 * What is derived from a configured key, kept for the whole process (a server, a Worker isolate)
 * rather than per wrapper: a wrapper made per request or per query then derives nothing the
 * process has derived before. Entries are per primitives (their key objects differ), per key
 * material (two keys under one id never share) and per `slot` (the use, and the user for term
 * keys). `create` runs on a miss; an entry whose `settled` promise rejects is dropped, so a
 * failed derivation is retried.
 */
export function processCached<T>(
  primitives: CryptoPrimitives,
  secret: Uint8Array<ArrayBuffer>,
  slot: string,
  create: () => T,
  settled: (entry: T) => Promise<unknown>,
): T {
  let cache = caches.get(primitives);
  if (cache === undefined) {
    cache = new Map();
    caches.set(primitives, cache);
  }
  // The key material itself names the entry: each wrapper holds it anyway, and hashing it would cost a derivation.
  const name = `${encodeBase64Url(secret)}\0${slot}`;
  const cached = cache.get(name) as T | undefined;
  if (cached !== undefined) {
    cache.delete(name);
    cache.set(name, cached);
    return cached;
  }
  const entry = create();
  if (cache.size >= CAPACITY) cache.delete(cache.keys().next().value!);
  cache.set(name, entry);
  settled(entry).catch(() => {
    if (cache.get(name) === entry) cache.delete(name);
  });
  return entry;
}
