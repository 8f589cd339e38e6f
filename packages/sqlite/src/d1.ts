export { D1Provider, type D1ProviderOptions } from './d1-provider.js';
export { D1Runner, type D1DatabaseBinding, type D1PreparedStatementLike } from './d1-runner.js';
export type { SqlResult, SqlRunner, SqlStatement, SqlValue } from './sql-runner.js';
export { MAX_POSTINGS_PER_TERM, SqliteMemoryProvider, type SqliteMemoryOptions } from './sqlite-memory-provider.js';
