import { MemoryConfigurationError } from '@fastagentic/memory';

/** One component of a self-hosted Mem0 config: `{ provider, config }`, as in the spec. */
export interface Mem0ComponentConfig {
  provider: string;
  config?: Record<string, unknown>;
}

/**
 * The spec's self-hosted config. Keys may be snake_case as in the spec and Mem0's Python docs
 * (`vector_store`, `api_key`, `base_url`, `embedding_dims`) or camelCase as mem0ai/oss spells them.
 */
export interface SelfHostedMem0Config {
  vector_store?: Mem0ComponentConfig;
  vectorStore?: Mem0ComponentConfig;
  llm?: Mem0ComponentConfig;
  embedder?: Mem0ComponentConfig;
  history_store?: Mem0ComponentConfig;
  historyStore?: Mem0ComponentConfig;
  history_db_path?: string;
  historyDbPath?: string;
  disable_history?: boolean;
  disableHistory?: boolean;
  custom_instructions?: string;
  customInstructions?: string;
  version?: string;
}

// mem0ai/oss reads `baseURL`, which a plain snake-to-camel conversion would spell `baseUrl`.
const SPECIAL_KEYS: Record<string, string> = { base_url: 'baseURL', openai_base_url: 'baseURL' };

function camelKey(key: string): string {
  return SPECIAL_KEYS[key] ?? key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function component(value: unknown, option: string): Mem0ComponentConfig | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof (value as Mem0ComponentConfig).provider !== 'string') {
    throw new MemoryConfigurationError(option, 'expected { provider: string, config?: object }');
  }
  const { provider, config } = value as Mem0ComponentConfig;
  if (config !== undefined && (typeof config !== 'object' || config === null)) {
    throw new MemoryConfigurationError(`${option}.config`, 'must be an object');
  }
  return {
    provider,
    config: Object.fromEntries(Object.entries(config ?? {}).map(([key, item]) => [camelKey(key), item])),
  };
}

/** The spec's config in the shape mem0ai/oss `Memory` takes. */
export function toMem0OssConfig(config: SelfHostedMem0Config): Record<string, unknown> {
  if (typeof config !== 'object' || config === null) throw new MemoryConfigurationError('config', 'must be an object');
  const out: Record<string, unknown> = {};
  const vectorStore = component(config.vectorStore ?? config.vector_store, 'config.vector_store');
  const llm = component(config.llm, 'config.llm');
  const embedder = component(config.embedder, 'config.embedder');
  const historyStore = component(config.historyStore ?? config.history_store, 'config.history_store');
  if (vectorStore) out.vectorStore = vectorStore;
  if (llm) out.llm = llm;
  if (embedder) out.embedder = embedder;
  if (historyStore) out.historyStore = historyStore;
  const historyDbPath = config.historyDbPath ?? config.history_db_path;
  if (historyDbPath !== undefined) out.historyDbPath = historyDbPath;
  const disableHistory = config.disableHistory ?? config.disable_history;
  if (disableHistory !== undefined) out.disableHistory = disableHistory;
  const customInstructions = config.customInstructions ?? config.custom_instructions;
  if (customInstructions !== undefined) out.customInstructions = customInstructions;
  if (config.version !== undefined) out.version = config.version;
  return out;
}
