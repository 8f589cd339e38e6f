/** A Lua script and its SHA-1, which EVALSHA names it by. */
export interface LuaScript {
  readonly name: string;
  readonly source: string;
  /** Lowercase hex SHA-1 of `source`, computed once with Web Crypto (edge-safe). */
  sha1(): Promise<string>;
}

function luaScript(name: string, source: string): LuaScript {
  let digest: Promise<string> | undefined;
  return {
    name,
    source,
    sha1() {
      digest ??= crypto.subtle.digest('SHA-1', new TextEncoder().encode(source)).then((buffer) =>
        Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, '0')).join(''),
      );
      return digest;
    },
  };
}

// Writes and pages run as scripts (get and search are plain HGET and HVALS). Every script gets
// a user's two keys: KEYS[1] the hash of records by memory id, KEYS[2] the sorted set of memory
// ids by sequence (microseconds since the epoch, unique per user). Both keys carry the same
// hash tag, so each script touches one cluster slot.

/**
 * ARGV: memory id, record JSON (an object, without "seq"), client time in microseconds, TTL in ms (0: none).
 * The sequence is the client time, bumped past the user's newest so order and createdAt agree.
 * Re-running it with the same id overwrites the same entry, so a retried add never duplicates.
 */
export const ADD_SCRIPT = luaScript(
  'add',
  `local seq = tonumber(ARGV[3])
local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= seq then seq = tonumber(newest[2]) + 1 end
local score = string.format('%.0f', seq)
redis.call('HSET', KEYS[1], ARGV[1], '{"seq":' .. score .. ',' .. string.sub(ARGV[2], 2))
redis.call('ZADD', KEYS[2], score, ARGV[1])
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1`,
);

/**
 * ARGV: memory id, TTL in ms (0: none). 1 when deleted, 0 when the user has no such memory.
 * Redis drops a hash or sorted set when its last member goes, so an emptied user leaves no key.
 */
export const DELETE_SCRIPT = luaScript(
  'delete',
  `if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
local ttl = tonumber(ARGV[2])
if ttl > 0 and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 1`,
);

/** How many memories the user had; both keys are gone afterwards, whatever their size. */
export const DELETE_ALL_SCRIPT = luaScript(
  'deleteAll',
  `local count = redis.call('HLEN', KEYS[1])
redis.call('UNLINK', KEYS[1], KEYS[2])
return count`,
);

/** ARGV: highest sequence to include ('+inf', or '(' and a sequence to exclude it), count. Records newest first. */
export const PAGE_SCRIPT = luaScript(
  'page',
  `local ids = redis.call('ZREVRANGEBYSCORE', KEYS[2], ARGV[1], '-inf', 'LIMIT', 0, tonumber(ARGV[2]))
if #ids == 0 then return {} end
return redis.call('HMGET', KEYS[1], unpack(ids))`,
);
