export {
  RedisCacheGenerationStore,
  type GenerationCounterClient,
  type RedisCacheGenerationStoreOptions,
} from './redis-cache-generation-store.js';
export { RedisMemoryProvider, type RedisMemoryOptions } from './redis-memory-provider.js';
export { RedisProvider, type RedisProviderOptions } from './redis-provider.js';
export type { LuaScript } from './memory-scripts.js';
export type { RedisCommandRunner } from './redis-command-runner.js';
