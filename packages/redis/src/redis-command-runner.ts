import type { LuaScript } from './memory-scripts.js';

/**
 * What the store needs from a Redis client: run one Lua script in one round trip. Each client
 * (ioredis, @upstash/redis) implements it, so key layout, scripts and encoding exist once.
 * Implementations send EVALSHA and fall back to EVAL once when the server lacks the script.
 */
export interface RedisCommandRunner {
  runScript(script: LuaScript, keys: string[], args: string[]): Promise<unknown>;
  /** Turns whatever the client threw into the core's typed error. */
  toMemoryError(error: unknown): Error;
}
