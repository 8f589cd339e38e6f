export { PostgresProvider, type PostgresProviderOptions } from './postgres-provider.js';
export { PostgresMemoryProvider, type PostgresMemoryOptions, type VectorSearchMode } from './postgres-memory-provider.js';
export { CommitOutcomeUnknownError, type PostgresRunner, type SqlQueryable } from './postgres-runner.js';
export { SCHEMA_VERSION } from './postgres-schema.js';
