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
  roundScore,
  SCORE_PRECISION,
  scoreTerms,
  type RankedMemory,
  type ScoredMemoryTerms,
  type TermStatistics,
} from './relevance/score-terms.js';
