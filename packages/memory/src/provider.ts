// The provider toolkit: what a provider author needs beyond the application API. Application
// code imports `@fastagentic/memory`; providers import this entry as well.
export { delay } from './provider-toolkit/delay.js';
export {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  parseRetryAfterMs,
  parseRetryPolicy,
  withRetry,
  type RetryOptions,
  type RetryPolicy,
  type WithRetryOptions,
} from './provider-toolkit/retry.js';
export { terms, TERMS_VERSION } from './relevance/terms.js';
export {
  compareRanked,
  inverseDocumentFrequency,
  RELEVANCE_B,
  RELEVANCE_K1,
  roundScore,
  SCORE_PRECISION,
  scoreTerms,
  type RankedMemory,
  type ScoredMemoryTerms,
  type TermStatistics,
} from './relevance/score-terms.js';
export { hybridScore } from './relevance/hybrid-score.js';
export { cosineRelevance, type Embedder } from './embedders/embedder.js';
export { LexicalIndex, type LexicalHit } from './relevance/lexical-index.js';
export { lexicalRelevance, tokenizeForRelevance } from './relevance/deprecated-relevance.js';
export { categoriesFromMetadata, messagesToMemoryText } from './spec/memory-content.js';
export {
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  CATEGORIES_FIELD,
  matchesFilter,
  parseMemoryFilter,
  type FilterCapability,
  type FilterNode,
} from './spec/memory-filter.js';
export { MEMORY_LIMITS } from './spec/memory-limits.js';
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
