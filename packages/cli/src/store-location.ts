import { join, resolve } from 'node:path';
import { MemoryConfigurationError } from '@fastagentic/memory';

export type Env = Record<string, string | undefined>;

export type StoreKind = 'libsql' | 'postgres' | 'redis' | 'mem0' | 'zep';

/** Where a store is and how its tables or keys are named, from a store URL and the servers' variables. */
export interface StoreLocation {
  kind: StoreKind;
  /** The URL handed to the client, without this tool's own query parameters. */
  url: string;
  /** The URL without user name or password, for messages. */
  display: string;
  /** libSQL and PostgreSQL: start of the long-term memory tables. */
  tablePrefix: string;
  /** libSQL: start of the session memory tables. */
  sessionTablePrefix: string;
  /** PostgreSQL: schema of the tables. */
  schema: string;
  /** Redis: start of the long-term memory keys. */
  prefix: string;
  /** Redis: start of the session memory keys. */
  sessionPrefix: string;
}

/** Query parameters this tool reads from a store URL (and removes before the client sees it). */
const OWN_PARAMETERS = ['tablePrefix', 'sessionTablePrefix', 'schema', 'prefix', 'sessionPrefix'] as const;

/**
 * The store the servers would use for long-term memory, with their precedence: Mem0, Zep,
 * PostgreSQL (DATABASE_URL, POSTGRES_URL), Redis (REDIS_URL), libSQL (LIBSQL_URL), else the
 * libSQL file `memory.db` in FASTAGENTIC_DATA_DIR (default `.fastagentic`).
 */
export function storeUrlFromEnv(env: Env): string {
  if (env.MEM0_API_KEY) return env.MEM0_HOST ? `mem0+${env.MEM0_HOST}` : 'mem0:';
  if (env.ZEP_API_KEY) return env.ZEP_BASE_URL ? `zep+${env.ZEP_BASE_URL}` : 'zep:';
  const postgres = env.DATABASE_URL || env.POSTGRES_URL;
  if (postgres) return postgres;
  if (env.REDIS_URL) return env.REDIS_URL;
  if (env.LIBSQL_URL) return env.LIBSQL_URL;
  return `file:${join(resolve(env.FASTAGENTIC_DATA_DIR || '.fastagentic'), 'memory.db')}`;
}

/**
 * Reads a store URL: `file:` / `libsql:` / `http(s):` / `ws(s):` (libSQL), `postgres(ql):`,
 * `redis(s):`, `mem0:` or `mem0+https://host`, `zep:` or `zep+https://host`. Table and key names
 * come from the URL's own parameters, else from the servers' variables, else the servers' defaults.
 */
export function parseStoreLocation(value: string, option: string, env: Env): StoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  const kind = kindOf(scheme);
  if (kind === undefined) {
    throw new MemoryConfigurationError(
      option,
      `expected a store URL (file:, libsql:, postgres://, redis://, mem0:, zep:), got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  const parameters = new Map<string, string>();
  let url = value;
  const queryAt = value.indexOf('?');
  if (queryAt >= 0) {
    const query = new URLSearchParams(value.slice(queryAt + 1));
    for (const name of OWN_PARAMETERS) {
      const given = query.get(name);
      if (given !== null) parameters.set(name, given);
      query.delete(name);
    }
    const rest = query.toString();
    url = value.slice(0, queryAt) + (rest ? `?${rest}` : '');
  }
  if (kind === 'mem0' || kind === 'zep') url = url.replace(/^[a-z0-9]+\+?/i, '').replace(/^:$/, '');
  return {
    kind,
    url,
    display: url.replace(/\/\/[^@/]*@/, '//') || `${kind}:`,
    tablePrefix: parameters.get('tablePrefix') ?? (kind === 'postgres' ? env.POSTGRES_TABLE_PREFIX ?? 'fastagentic_' : 'memory_'),
    sessionTablePrefix: parameters.get('sessionTablePrefix') ?? 'session_',
    schema: parameters.get('schema') ?? env.POSTGRES_SCHEMA ?? 'public',
    prefix: parameters.get('prefix') ?? env.REDIS_MEMORY_PREFIX ?? 'memory:',
    sessionPrefix: parameters.get('sessionPrefix') ?? env.REDIS_SESSION_PREFIX ?? 'session:',
  };
}

function kindOf(scheme: string | undefined): StoreKind | undefined {
  switch (scheme) {
    case 'file':
    case 'libsql':
    case 'http':
    case 'https':
    case 'ws':
    case 'wss':
      return 'libsql';
    case 'postgres':
    case 'postgresql':
      return 'postgres';
    case 'redis':
    case 'rediss':
      return 'redis';
    case 'mem0':
    case 'mem0+https':
    case 'mem0+http':
      return 'mem0';
    case 'zep':
    case 'zep+https':
    case 'zep+http':
      return 'zep';
    default:
      return undefined;
  }
}
