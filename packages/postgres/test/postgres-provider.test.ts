import { MemoryValidationError, ProviderUnavailableError } from '@fastagentic/memory';
import { HOSTILE_USER_IDS, testMemoryProvider } from '@fastagentic/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { adminQuery, dropSchema, POSTGRES_URL, uniqueSchema } from './shared-postgres.js';
import { CONNECTION_TIMEOUT_MS, TEST_TIMEOUT_MS } from './test-timeout.js';

const schema = uniqueSchema('ops');
const applicationName = `fa-test-${schema}`;
let provider: PostgresProvider;

beforeAll(async () => {
  provider = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, applicationName });
  await provider.ready();
});
afterAll(async () => {
  await provider.close();
  await dropSchema(schema);
});

const note = (content: string) => [{ role: 'user' as const, content }];

async function rowsOfUser(store: PostgresProvider, userId: string): Promise<number> {
  const t = store.tables;
  const [row] = await adminQuery<{ count: number }>(
    `SELECT ((SELECT count(*) FROM ${t.users} WHERE user_id = $1) + (SELECT count(*) FROM ${t.memories} WHERE user_id = $1)
      + (SELECT count(*) FROM ${t.postings} WHERE user_id = $1) + (SELECT count(*) FROM ${t.termStats} WHERE user_id = $1)
      + (SELECT count(*) FROM ${t.history} WHERE user_id = $1))::int AS count`,
    [userId],
  );
  return row!.count;
}

describe('forget and hostile input', () => {
  it('deleteAll leaves no row of the user in any table, and nothing of anyone else is touched', async () => {
    for (const [index, userId] of HOSTILE_USER_IDS.entries()) {
      await provider.add(userId, note(`Hostile ${userId.length} likes kayaks`), { category: 'x' }, { idempotencyKey: `k-${index}` });
    }
    for (const userId of HOSTILE_USER_IDS) {
      const [memory] = (await provider.getAll(userId)).memories;
      await provider.update(userId, memory!.id, { text: `Hostile ${userId.length} likes canoes` }, { reason: 'hostile' });
      expect(await rowsOfUser(provider, userId)).toBeGreaterThan(0);
      expect(await provider.deleteAll(userId)).toBe(1);
      expect(await rowsOfUser(provider, userId)).toBe(0);
    }
  });

  it('SQL in ids, metadata keys, filter fields and queries is data, never SQL', async () => {
    const injections = [
      `'; DROP TABLE ${provider.tables.memories}; --`,
      `x' OR '1'='1`,
      `") OR true --`,
      `$1`,
      `\\'; SELECT pg_sleep(5); --`,
    ];
    const victim = 'injection-victim';
    await provider.add(victim, note('Victim secret about kayaks'), { owner: 'victim' });
    for (const text of injections) {
      const id = await provider.add(text, note(`Attacker note ${text}`), { [text]: text, owner: text });
      expect((await provider.get(text, id))!.metadata).toEqual({ [text]: text, owner: text });
      expect(await provider.get(text, text)).toBeNull();
      expect((await provider.getAll(text, { filters: { [text]: text } })).memories.map((memory) => memory.id)).toEqual([id]);
      expect((await provider.getAll(text, { filters: { owner: { in: [text, `' OR 1=1 --`] } } })).memories.length).toBe(1);
      expect((await provider.search(text, `kayaks ${text}`, { filters: { [text]: { ne: text } } }))).toEqual([]);
      expect(await provider.search(text, 'secret kayaks victim')).toEqual([]);
      await expect(provider.delete(text, text)).rejects.toThrow();
      expect(await provider.deleteAll(text)).toBe(1);
    }
    expect((await provider.getAll(victim)).memories.map((memory) => memory.memory)).toEqual(['Victim secret about kayaks']);
  });

  it('NUL characters and unpaired surrogates are refused as bad input naming the field', async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => provider.add('nul\u0000user', note('x')), 'userId'],
      [() => provider.add('u', note('has \u0000 nul')), 'messages.0.content'],
      [() => provider.add('u', note('ok'), { text: 'lone \ud800' }), 'metadata.text'],
      [() => provider.get('u', 'id\u0000'), 'memoryId'],
      [() => provider.getAll('u', { filters: { 'a\u0000': 1 } }), 'options.filters.a\u0000'],
      [() => provider.search('u', 'q', { filters: { a: { in: ['x\u0000'] } } }), 'options.filters.a.in.0'],
    ];
    for (const [call, field] of cases) {
      const error = await call().catch((caught: unknown) => caught);
      expect(MemoryValidationError.isInstance(error), String(error)).toBe(true);
      expect((error as MemoryValidationError).field).toBe(field);
    }
  });
});

describe('idempotent add and TTL', () => {
  it('a repeated idempotency key stores once per user and resolves to the first id; deleting frees the key', async () => {
    const userId = 'idempotent';
    const [first, second] = await Promise.all([
      provider.add(userId, note('Once only'), undefined, { idempotencyKey: 'key-1' }),
      provider.add(userId, note('Once only'), undefined, { idempotencyKey: 'key-1' }),
    ]);
    expect(second).toBe(first);
    expect((await provider.getAll(userId)).memories.length).toBe(1);
    expect(await provider.add('someone-else', note('Once only'), undefined, { idempotencyKey: 'key-1' })).not.toBe(first);
    await provider.delete(userId, first);
    expect(await provider.add(userId, note('Again'), undefined, { idempotencyKey: 'key-1' })).not.toBe(first);
  });

  it('expired memories are never returned and are purged from every table', async () => {
    const session = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, tablePrefix: 'ttl_', ttlSeconds: 0.5 });
    try {
      const id = await session.add('ttl-user', note('Short lived kayak note'), undefined, { idempotencyKey: 'k' });
      await session.update('ttl-user', id, { metadata: { changed: true } });
      expect((await session.getAll('ttl-user')).memories.length).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect((await session.getAll('ttl-user')).memories).toEqual([]);
      expect(await session.search('ttl-user', 'kayak')).toEqual([]);
      expect(await session.history('ttl-user', id)).toEqual([]);
      expect(await rowsOfUser(session, 'ttl-user')).toBeGreaterThan(0);
      expect(await session.purgeExpired()).toBe(1);
      expect(await rowsOfUser(session, 'ttl-user')).toBe(0);
    } finally {
      await session.close();
    }
  });
});

describe('timeouts, cancellation and connection failures', () => {
  it('refuses a connection timeout that is not a positive whole number of milliseconds, naming the option', () => {
    for (const connectionTimeoutMs of [0, -1, 1.5, Number.NaN]) {
      expect(() => new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs })).toThrow(
        expect.objectContaining({ name: 'MemoryConfigurationError', option: 'connectionTimeoutMs' }),
      );
    }
  });

  /** Holds a lock on one of the store's tables from another connection until released. */
  async function lockTable(table: string): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return async () => {
      await client.query('ROLLBACK');
      await client.end();
    };
  }

  async function waitingStatements(name: string): Promise<number> {
    const [row] = await adminQuery<{ count: number }>(
      `SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1 AND state = 'active' AND wait_event_type = 'Lock'`,
      [name],
    );
    return row!.count;
  }

  it('an AbortSignal cancels the statement on the server', async () => {
    const release = await lockTable(provider.tables.memories);
    try {
      const controller = new AbortController();
      const reason = new Error('caller gave up');
      const pending = provider.getAll('blocked-user', { signal: controller.signal });
      for (let i = 0; i < 50 && (await waitingStatements(applicationName)) === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await waitingStatements(applicationName)).toBe(1);
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      for (let i = 0; i < 50 && (await waitingStatements(applicationName)) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(await waitingStatements(applicationName)).toBe(0);
    } finally {
      await release();
    }
  });

  it('the statement timeout ends a blocked statement on the server with a retryable typed error', async () => {
    const name = `${applicationName}-timeout`;
    const hurried = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, applicationName: name, statementTimeoutMs: 300 });
    await hurried.ready();
    const release = await lockTable(provider.tables.users);
    try {
      const error = await hurried.add('blocked-user', note('waits for the lock')).catch((caught: unknown) => caught);
      expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
      expect((error as ProviderUnavailableError).isRetryable).toBe(true);
      expect(await waitingStatements(name)).toBe(0);
    } finally {
      await release();
      await hurried.close();
    }
  });

  it('an unreachable server is a retryable ProviderUnavailableError', async () => {
    const unreachable = new PostgresProvider({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema });
    const error = await unreachable.add('u', note('x')).catch((caught: unknown) => caught);
    expect(ProviderUnavailableError.isInstance(error), String(error)).toBe(true);
    expect((error as ProviderUnavailableError).isRetryable).toBe(true);
    await unreachable.close();
  });

  it('close() ends the pool it created; a pool passed in stays open', async () => {
    const name = `${applicationName}-close`;
    const owned = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, applicationName: name });
    await Promise.all(Array.from({ length: 4 }, () => owned.getAll('close-user')));
    const count = async () =>
      (await adminQuery<{ count: number }>(`SELECT count(*)::int AS count FROM pg_stat_activity WHERE application_name = $1`, [name]))[0]!.count;
    expect(await count()).toBeGreaterThan(0);
    await owned.close();
    for (let i = 0; i < 20 && (await count()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await count()).toBe(0);

    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
    const borrowed = new PostgresProvider({ pool, schema });
    await borrowed.getAll('close-user');
    await borrowed.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await pool.end();
  });
});

describe('fault: the server terminates the store’s connections mid-stream of writes', () => {
  it('calls fail with retryable typed errors, later calls succeed, and no acknowledged write is lost', async () => {
    const name = `${applicationName}-fault`;
    const store = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, applicationName: name, maxConnections: 8 });
    await store.ready();
    const userId = 'fault-user';
    const acknowledged: string[] = [];
    const failures: unknown[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async (_, writer) => {
      for (let i = 0; !stop; i++) {
        try {
          acknowledged.push(await store.add(userId, note(`Fault note ${writer}-${i} kayak`), undefined, { idempotencyKey: `w${writer}-${i}` }));
        } catch (error) {
          failures.push(error);
        }
      }
    });
    const terminate = async () =>
      adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [name]);
    for (let round = 0; round < 5; round++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await terminate();
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    stop = true;
    await Promise.all(writers);

    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(ProviderUnavailableError.isInstance(failure), String(failure)).toBe(true);
      expect((failure as ProviderUnavailableError).isRetryable).toBe(true);
    }
    // Later calls succeed on fresh connections.
    const after = await store.add(userId, note('After the storm kayak'));
    acknowledged.push(after);
    const stored = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await store.getAll(userId, { limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const memory of page.memories) stored.add(memory.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    for (const id of acknowledged) expect(stored.has(id)).toBe(true);
    // Statistics stayed exact: the user's count matches the rows.
    const [stats] = await adminQuery<{ memory_count: number }>(`SELECT memory_count FROM ${store.tables.users} WHERE user_id = $1`, [userId]);
    expect(stats!.memory_count).toBe(stored.size);
    expect((await store.search(userId, 'kayak', { limit: 5 })).length).toBe(5);
    await store.close();
  });
});

const partitionedSchema = uniqueSchema('part');
afterAll(() => dropSchema(partitionedSchema));

describe('hash partitions by user', () => {
  it('creates every table partitioned by user_id', async () => {
    const store = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema: partitionedSchema, tablePrefix: 'check_', partitions: 4 });
    await store.ready();
    const rows = await adminQuery<{ table: string; partitions: number }>(
      `SELECT c.relname AS table, (SELECT count(*)::int FROM pg_inherits i WHERE i.inhparent = c.oid) AS partitions
       FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 ORDER BY 1`,
      [partitionedSchema],
    );
    expect(rows).toEqual(
      ['check_history', 'check_memories', 'check_postings', 'check_term_stats', 'check_users'].map((table) => ({ table, partitions: 4 })),
    );
    await store.close();
  });
});

testMemoryProvider({
  name: 'PostgresProvider (hash-partitioned by user)',
  create: () => new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema: partitionedSchema, partitions: 4 }),
  destroy: (store) => (store as PostgresProvider).close(),
  testTimeoutMs: TEST_TIMEOUT_MS,
});
