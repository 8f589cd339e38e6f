/**
 * Documented input limits, enforced by every provider through the core's validators. They bound
 * the work one request can ask of a shared backend. Content is measured in UTF-16 code units
 * (JavaScript string length).
 */
export const MEMORY_LIMITS = {
  /** Longest user id. Long enough for emails, URNs and opaque tokens. */
  maxUserIdLength: 1024,
  /** Longest memory id. */
  maxMemoryIdLength: 256,
  /** Longest idempotency key of an `add`. */
  maxIdempotencyKeyLength: 200,
  /** Longest `reason` of an `update`, kept in history. */
  maxReasonLength: 200,
  /** Messages in one `add` call. */
  maxMessages: 100,
  /** Total characters of message content in one `add` call, and of a stored memory. */
  maxContentLength: 32_768,
  /** Characters of a search query. */
  maxQueryLength: 4_096,
  /** Deepest nesting of objects and arrays in metadata, and of AND/OR/NOT in a filter. */
  maxNestingDepth: 32,
  /** Serialised size (JSON characters) of the metadata of one memory. */
  maxMetadataLength: 16_384,
  /** Supplied terms (`indexTerms`, `queryTerms`) in one call. */
  maxSuppliedTerms: 32_768,
  /** Characters of one supplied term. */
  maxSuppliedTermLength: 256,
  /** Largest `getAll` page a caller may ask for. */
  maxLimit: 1000,
  /** Most results one search may ask for: every result is scored, sorted and sent whole. */
  maxSearchLimit: 100,
  /** Clauses in one filter: every condition (one per operator) and every AND, OR and NOT. */
  maxFilterClauses: 64,
  /** Values in one `in` or `nin` list. */
  maxFilterListLength: 100,
} as const;
