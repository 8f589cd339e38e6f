import { MemoryConfigurationError, type Embedder } from '@fastagentic/memory';
import { PostgresProvider } from '@fastagentic/postgres';

type Env = Record<string, string | undefined>;

export interface PostgresMemory {
  memory: PostgresProvider;
  /** The startup log line, e.g. `long-term: PostgreSQL 127.0.0.1:5432/app ("public"."fastagentic_*")`. */
  description: string;
  close(): Promise<void>;
}

/** Where the URL points, without the user name or password. */
function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'the configured server';
  }
}

/**
 * Long-term memory on PostgreSQL when DATABASE_URL or POSTGRES_URL is set (both set and different
 * is a configuration error). POSTGRES_SCHEMA and POSTGRES_TABLE_PREFIX place the tables; they are
 * created on first use.
 */
export function postgresMemoryFromEnv(env: Env, embedder?: Embedder): PostgresMemory | undefined {
  const { DATABASE_URL: databaseUrl, POSTGRES_URL: postgresUrl } = env;
  if (databaseUrl && postgresUrl && databaseUrl !== postgresUrl) {
    throw new MemoryConfigurationError('POSTGRES_URL', 'DATABASE_URL is set to another server: set one of them');
  }
  const url = databaseUrl || postgresUrl;
  if (!url) return undefined;
  const schema = env.POSTGRES_SCHEMA ?? 'public';
  const tablePrefix = env.POSTGRES_TABLE_PREFIX ?? 'fastagentic_';
  let memory: PostgresProvider;
  try {
    memory = new PostgresProvider({ connectionString: url, schema, tablePrefix, ...(embedder ? { embedder } : {}) });
  } catch (error) {
    if (!MemoryConfigurationError.isInstance(error)) throw error;
    throw new MemoryConfigurationError(databaseUrl ? 'DATABASE_URL' : 'POSTGRES_URL', error.message, { cause: error });
  }
  return {
    memory,
    description: `long-term: PostgreSQL ${describeTarget(url)} ("${schema}"."${tablePrefix}*")`,
    close: () => memory.close(),
  };
}
