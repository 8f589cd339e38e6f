import { MemoryConfigurationError } from '@fastagentic/memory';
import type { Pool, PoolConfig } from 'pg';
import { NodePostgresRunner } from './node-postgres-runner.js';
import { PostgresMemoryProvider, type PostgresMemoryOptions } from './postgres-memory-provider.js';

export interface PostgresProviderOptions extends PostgresMemoryOptions {
  /**
   * `postgres://` or `postgresql://` URL (Neon, Supabase, RDS and any PostgreSQL 13+); the
   * provider then creates, and `close` ends, its own pool.
   */
  connectionString?: string;
  /** A node-postgres `Pool` you configured yourself; `close` leaves it open. */
  pool?: Pool;
  /** Most connections of a pool made from `connectionString`. Default 10. */
  maxConnections?: number;
  /** Server-side limit on each statement of a pool made from `connectionString`. Default 30,000 ms. */
  statementTimeoutMs?: number;
  /** `application_name` of a pool made from `connectionString`, shown in pg_stat_activity. Default `fastagentic-memory`. */
  applicationName?: string;
  /** How long a pool made from `connectionString` waits for a new connection. Default 10,000 ms. */
  connectionTimeoutMs?: number;
}

/**
 * Memory on PostgreSQL through node-postgres (`pg`). Tables are created or migrated on first use
 * (or by `ready()`); connection failures reject with a retryable ProviderUnavailableError and the
 * pool reconnects on its own.
 */
export class PostgresProvider extends PostgresMemoryProvider {
  constructor(options: PostgresProviderOptions) {
    if ((options.connectionString === undefined) === (options.pool === undefined)) {
      throw new MemoryConfigurationError('connectionString', 'pass exactly one of connectionString and pool');
    }
    let runner: NodePostgresRunner;
    if (options.pool) {
      runner = new NodePostgresRunner('postgres', { pool: options.pool });
    } else {
      if (typeof options.connectionString !== 'string' || !/^postgres(ql)?:\/\//.test(options.connectionString)) {
        throw new MemoryConfigurationError('connectionString', 'expected a postgres:// or postgresql:// URL');
      }
      const timeout = options.statementTimeoutMs ?? 30_000;
      if (!(Number.isInteger(timeout) && timeout >= 0)) {
        throw new MemoryConfigurationError('statementTimeoutMs', 'must be a whole number of milliseconds (0: none)');
      }
      const connectionTimeout = options.connectionTimeoutMs ?? 10_000;
      if (!(Number.isInteger(connectionTimeout) && connectionTimeout > 0)) {
        throw new MemoryConfigurationError('connectionTimeoutMs', 'must be a positive whole number of milliseconds');
      }
      const max = options.maxConnections ?? 10;
      if (!(Number.isInteger(max) && max >= 1)) throw new MemoryConfigurationError('maxConnections', 'must be a positive integer');
      const config: PoolConfig = {
        connectionString: options.connectionString,
        max,
        statement_timeout: timeout,
        application_name: options.applicationName ?? 'fastagentic-memory',
        connectionTimeoutMillis: connectionTimeout,
      };
      runner = new NodePostgresRunner('postgres', { config });
    }
    super('postgres', runner, options);
  }
}
