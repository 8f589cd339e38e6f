export { eventually, type EventuallyOptions } from './eventually.js';
export { HOSTILE_USER_IDS } from './hostile-user-ids.js';
export { CONFORMANCE_FILTER_FIELDS, testMemoryProvider, type TestMemoryProviderOptions } from './test-memory-provider.js';
