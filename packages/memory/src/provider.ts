// The provider toolkit: what a provider author needs beyond the application API, so a provider
// is its backend logic only. Application code imports `@fastagentic/memory`.
export { cosineRelevance } from './embedders/embedder.js';
export { delay } from './provider-toolkit/delay.js';
export {
  errorFromHttpStatus,
  errorFromNetworkFailure,
  isNotAppliedStatus,
  isNotSentFailure,
  isRetryableStatus,
  type HttpErrorOptions,
} from './provider-toolkit/http-errors.js';
export {
  HttpJsonClient,
  httpResponseErrorOf,
  HttpResponseError,
  type HttpJsonClientOptions,
  type HttpJsonResponse,
  type HttpRequestKind,
  type HttpRequestOptions,
} from './provider-toolkit/http-json-client.js';
export { base64UrlDecode, base64UrlEncode, encodeUrlSegment } from './provider-toolkit/id-encoding.js';
export {
  aliasedOption,
  booleanOption,
  DEFAULT_TIMEOUT_MS,
  nonNegativeIntegerOption,
  parseReadYourWrites,
  positiveNumberOption,
  readEnv,
  requireOption,
  stringOption,
  urlOption,
  type ReadYourWrites,
  type ReadYourWritesOptions,
} from './provider-toolkit/provider-options.js';
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
export { compileFilter } from './provider-toolkit/compile-filter.js';
export { DEFAULT_SEARCH_TIME_BUDGET_MS, SearchBudget, searchBudgetExceeded } from './provider-toolkit/search-budget.js';
export { waitUntilVisible } from './provider-toolkit/wait-until-visible.js';
export { LexicalIndex, type LexicalHit } from './relevance/lexical-index.js';
export {
  compareRanked,
  inverseDocumentFrequency,
  RELEVANCE_B,
  RELEVANCE_K1,
  roundScore,
  SCORE_PRECISION,
  scoreTerms,
  UNHELD_TERM_SHARE,
  type RankedMemory,
  type ScoredMemoryTerms,
  type TermStatistics,
} from './relevance/score-terms.js';
export { hybridScore } from './relevance/hybrid-score.js';
export { terms, TERMS_VERSION } from './relevance/terms.js';
export { categoriesFromMetadata, messagesToMemoryText } from './spec/memory-content.js';
export {
  ALL_FILTER_CAPABILITIES,
  assertFilterSupported,
  CATEGORIES_FIELD,
  FILTER_OPERATORS,
  matchesFilter,
  parseMemoryFilter,
  requiredEquality,
  type FilterNode,
} from './spec/memory-filter.js';
export { MEMORY_LIMITS } from './spec/memory-limits.js';
export { DEFAULT_PAGE_SIZE, DEFAULT_SEARCH_LIMIT } from './spec/memory-provider.js';
export { memoryPageSchema, memorySchema } from './spec/schemas.js';
export {
  parseAddOptions,
  parseCallOptions,
  parseGetAllOptions,
  parseMemoryChanges,
  parseSearchOptions,
  parseUpdateOptions,
  validateMemoryId,
  validateMessages,
  validateMetadata,
  validateQuery,
  validateUserId,
  type ParsedAddOptions,
  type ParsedCallOptions,
  type ParsedGetAllOptions,
  type ParsedSearchOptions,
  type ParsedUpdateOptions,
} from './spec/validate-input.js';
