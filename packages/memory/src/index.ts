export { delay } from './provider-toolkit/delay.js';
export { InProcessGenerationStore, type CacheGenerationStore } from './cache/cache-generation-store.js';
export {
  withCache,
  type CachedMemoryProvider,
  type CacheStatistics,
  type WithCacheOptions,
} from './cache/with-cache.js';
export { cosineRelevance, type Embedder } from './embedders/embedder.js';
export { extractUserId } from './extract-user-id.js';
export { forgetUser } from './forget-user.js';
export { InMemoryProvider, type InMemoryProviderOptions } from './in-memory/in-memory-provider.js';
export {
  estimateTokens,
  formatMemories,
  injectMemory,
  type AllInjectionOptions,
  type InjectedMemories,
  type InjectionRequest,
  type InjectMemoryOptions,
  type MemoryBudget,
  type MemoryInjector,
  type RecentInjectionOptions,
  type RelevantInjectionOptions,
} from './injection/inject-memory.js';
export {
  describeFilterClause,
  explainInjection,
  explainSearch,
  type ExcludedCandidate,
  type ExclusionReason,
  type ExplainedInjection,
  type ExplainOptions,
  type ExplainSearchOptions,
  type Explanation,
} from './injection/explain-injection.js';
export { iterateMemories } from './iterate-memories.js';
export { LexicalIndex, type LexicalHit } from './relevance/lexical-index.js';
export { lexicalRelevance, tokenizeForRelevance } from './relevance/lexical-relevance.js';
export { categoriesFromMetadata, messagesToMemoryText } from './spec/memory-content.js';
export {
  MemoryConfigurationError,
  MemoryError,
  MemoryNotFoundError,
  MemoryValidationError,
  ProviderUnavailableError,
  UnsupportedFilterError,
  type MemoryErrorOptions,
  type ProviderUnavailableErrorOptions,
} from './spec/memory-error.js';
export {
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  CATEGORIES_FIELD,
  FILTER_OPERATORS,
  matchesFilter,
  parseMemoryFilter,
  type FieldCondition,
  type FieldOperators,
  type FilterCapability,
  type FilterNode,
  type FilterOperator,
  type LogicalOperator,
  type MemoryFilter,
  type RangeValue,
} from './spec/memory-filter.js';
export { MEMORY_LIMITS } from './spec/memory-limits.js';
export {
  DEFAULT_PAGE_SIZE,
  DEFAULT_SEARCH_LIMIT,
  type AddOptions,
  type CallOptions,
  type GetAllOptions,
  type MemoryCapabilities,
  type MemoryPage,
  type MemoryProvider,
  type SearchOptions,
} from './spec/memory-provider.js';
export { OpenAICompatibleEmbedder, type OpenAICompatibleEmbedderOptions } from './embedders/openai-compatible-embedder.js';
export {
  jsonValueSchema,
  getAllOptionsSchema,
  limitSchema,
  memoryPageSchema,
  memorySchema,
  messageRoleSchema,
  messageSchema,
  metadataSchema,
  minRelevanceSchema,
  searchOptionsSchema,
  type JsonPrimitive,
  type JsonValue,
  type Memory,
  type Message,
  type MessageRole,
  type Metadata,
} from './spec/schemas.js';
export {
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseSearchOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  type ParsedAddOptions,
  type ParsedCallOptions,
  type ParsedGetAllOptions,
  type ParsedSearchOptions,
} from './spec/validate-input.js';
export {
  withMetrics,
  meterOperation,
  type MemoryOperation,
  type MemoryOperationEvent,
  type MemoryOperationStart,
  type MemoryOperationTrace,
  type MetricsRecorder,
  type WriteQueueEvent,
} from './with-metrics.js';
