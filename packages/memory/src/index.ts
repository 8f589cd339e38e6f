export { delay } from './delay.js';
export { cosineRelevance, type Embedder } from './embedder.js';
export { extractUserId } from './extract-user-id.js';
export { forgetUser } from './forget-user.js';
export { InMemoryProvider, type InMemoryProviderOptions } from './in-memory-provider.js';
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
} from './inject-memory.js';
export { iterateMemories } from './iterate-memories.js';
export { LexicalIndex, type LexicalHit } from './lexical-index.js';
export { lexicalRelevance, tokenizeForRelevance } from './lexical-relevance.js';
export { categoriesFromMetadata, messagesToMemoryText } from './memory-content.js';
export {
  MemoryConfigurationError,
  MemoryError,
  MemoryNotFoundError,
  MemoryValidationError,
  ProviderUnavailableError,
  UnsupportedFilterError,
  type MemoryErrorOptions,
  type ProviderUnavailableErrorOptions,
} from './memory-error.js';
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
} from './memory-filter.js';
export { MEMORY_LIMITS } from './memory-limits.js';
export {
  DEFAULT_PAGE_SIZE,
  DEFAULT_SEARCH_LIMIT,
  type CallOptions,
  type GetAllOptions,
  type MemoryCapabilities,
  type MemoryPage,
  type MemoryProvider,
  type SearchOptions,
} from './memory-provider.js';
export { OpenAICompatibleEmbedder, type OpenAICompatibleEmbedderOptions } from './openai-compatible-embedder.js';
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
} from './schemas.js';
export {
  parseCallOptions,
  parseGetAllOptions,
  parseSearchOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  type ParsedCallOptions,
  type ParsedGetAllOptions,
  type ParsedSearchOptions,
} from './validate-input.js';
export {
  withMetrics,
  type MemoryOperation,
  type MemoryOperationEvent,
  type MetricsRecorder,
} from './with-metrics.js';
