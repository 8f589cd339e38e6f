export { LibsqlProvider, type LibsqlProviderOptions } from './libsql-provider.js';
export { LibsqlRunner } from './libsql-runner.js';
export type { SqlResult, SqlRunner, SqlStatement, SqlValue } from './sql-runner.js';
export { MAX_POSTINGS_PER_TERM, SqliteMemoryProvider, type SqliteMemoryOptions } from './sqlite-memory-provider.js';
