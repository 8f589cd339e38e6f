import type { LuaScript } from './memory-scripts.js';

/**
 * What the store needs from a Redis client, each call one round trip. Each client (ioredis,
 * @upstash/redis) implements it, so key layout, scripts and encoding exist once.
 */
export interface RedisCommandRunner {
  /** EVALSHA, falling back to EVAL once when the server does not have the script cached. */
  runScript(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /** Plain reads: a script would only copy the reply through Lua (10-40% slower for HVALS). */
  hget(key: string, field: string): Promise<unknown>;
  hvals(key: string): Promise<unknown>;
  /** Turns whatever the client threw into the core's typed error. */
  toMemoryError(error: unknown): Error;
}
