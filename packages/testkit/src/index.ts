export { checkSearchCostBounds, COMMON_QUERY, FILTER_BOMB, seedCommonWords, type SearchCostOutcome } from './check-search-cost-bounds.js';
export { checkSessionReads } from './check-session-reads.js';
export { eventually, type EventuallyOptions } from './eventually.js';
export { HOSTILE_USER_IDS, MALFORMED_USER_IDS } from './hostile-user-ids.js';
export { InMemoryTwin, TOPIC_EMBEDDER } from './in-memory-twin.js';
export { CONFORMANCE_FILTER_FIELDS, testMemoryProvider, type TestMemoryProviderOptions } from './test-memory-provider.js';
