// The application API. Provider authors import `@fastagentic/memory/provider` as well.
export { type Embedder } from './embedders/embedder.js';
export { embedderFromEnvironment, type EmbedderFromEnvironment } from './embedders/embedder-from-environment.js';
export { OpenAICompatibleEmbedder, type OpenAICompatibleEmbedderOptions } from './embedders/openai-compatible-embedder.js';
export { InProcessGenerationStore, type CacheGenerationStore } from './cache/cache-generation-store.js';
export {
  withCache,
  type CachedMemoryProvider,
  type CacheStatistics,
  type WithCacheOptions,
} from './cache/with-cache.js';
export { extractUserId } from './extract-user-id.js';
export { forgetUser } from './forget-user.js';
export { InMemoryProvider, type InMemoryProviderOptions } from './in-memory/in-memory-provider.js';
export {
  formatMemories,
  formatMemoryContext,
  frameMemoryContext,
  MEMORY_CONTEXT_FRAMING,
  type MemoryContextParts,
} from './injection/format-memory-context.js';
export {
  estimateTokens,
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
export type {
  FieldCondition,
  FieldOperators,
  FilterCapability,
  FilterOperator,
  LogicalOperator,
  MemoryFilter,
  RangeValue,
} from './spec/memory-filter.js';
export type {
  AddOptions,
  CallOptions,
  GetAllOptions,
  MemoryCapabilities,
  MemoryChanges,
  MemoryEvent,
  MemoryHistoryEntry,
  MemoryPage,
  MemoryProvider,
  SearchOptions,
  UpdateOptions,
} from './spec/memory-provider.js';
export type { JsonPrimitive, JsonValue, Memory, Message, MessageRole, Metadata } from './spec/schemas.js';
export {
  withMetrics,
  meterOperation,
  type MemoryOperation,
  type MemoryOperationEvent,
  type MemoryOperationStart,
  type MemoryOperationTrace,
  type MetricsRecorder,
  type RefusalEvent,
  type WriteQueueEvent,
} from './with-metrics.js';
export { extractStatements, type DroppedReason, type ExtractedStatements, type Statement } from './formation/extract-statements.js';
export { factSlots, type FactSlot } from './formation/fact-slots.js';
export { applyFormation, formMemories, type ApplyFormationOptions, type FormMemoriesOptions } from './formation/form-memories.js';
export { injectWithProfile, type InjectedWithProfile, type ProfileInjectionOptions } from './formation/inject-with-profile.js';
export type {
  FormationOperation,
  FormationPlan,
  FormationReason,
  FormationResult,
  FormationTurn,
  FormationUsage,
  MemoryFormation,
} from './formation/memory-formation.js';
export { offlineFormation, provenance, type OfflineFormationOptions } from './formation/offline-formation.js';
export {
  applyFacts,
  findProfileMemory,
  formatProfile,
  PROFILE_KIND,
  readProfile,
  validateProfile,
  writeProfile,
  type UserProfile,
} from './formation/user-profile.js';
