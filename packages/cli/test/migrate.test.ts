import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEncryption } from '@fastagentic/encryption';
import { PostgresProvider } from '@fastagentic/postgres';
import { RedisProvider } from '@fastagentic/redis';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { migrateMemories } from '../src/index.js';
import {
  contentsOf,
  deleteRedisKeys,
  dropSchema,
  jsonOf,
  POSTGRES_URL,
  REDIS_URL,
  runBinary,
  searchContents,
  seedLibsqlFile,
  seedMemories,
  temporaryFolder,
  uniqueName,
} from './cli-fixtures.js';

const USERS = ['alice', 'bob', 'user with spaces/and:colons{x}'];
const QUERIES = ['tea', 'bikes and jazz', 'rust gardens', 'note 42', 'chess trains tea'];
const folder = temporaryFolder();
const source = join(folder.path, 'source.db');
const memories = seedMemories(300);
const sessions = seedMemories(12).map((memory, index) => ({ ...memory, text: `session line ${index}`, metadata: { sessionId: `s${index % 3}` } }));
const schema = uniqueName('migrate');
const redisPrefix = `${uniqueName('migrate')}:`;
const encryptedPrefix = `${uniqueName('encrypted')}:`;

beforeAll(async () => {
  await seedLibsqlFile(source, memories, sessions);
});

/** Every user's memories in a libSQL copy are the source's, in the same order. */
async function expectSameContents(url: string, tablePrefix: string): Promise<void> {
  const from = new LibsqlProvider({ url: `file:${source}`, tablePrefix });
  const copy = new LibsqlProvider({ url, tablePrefix });
  try {
    for (const user of USERS) expect(await contentsOf(copy, user)).toEqual(await contentsOf(from, user));
  } finally {
    await Promise.all([from.close(), copy.close()]);
  }
}
afterAll(async () => {
  await dropSchema(schema);
  await deleteRedisKeys(redisPrefix, `${redisPrefix}session:`, encryptedPrefix);
  folder.remove();
});

describe('migrate (real stores)', () => {
  it('libSQL file → PostgreSQL and back: the same memories, the same search results; sessions are skipped and counted', async () => {
    const to = `${POSTGRES_URL}?schema=${schema}`;
    const result = jsonOf(await runBinary(['migrate', '--from', `file:${source}`, '--to', to, '--json']));
    expect(result).toMatchObject({ records: 312, written: 300, skippedSessionRecords: 12, memoriesBefore: 0, memoriesAfter: 300 });

    const from = new LibsqlProvider({ url: `file:${source}` });
    const target = new PostgresProvider({ connectionString: POSTGRES_URL, schema });
    try {
      for (const user of USERS) {
        expect(await contentsOf(target, user)).toEqual(await contentsOf(from, user));
        for (const query of QUERIES) expect(await searchContents(target, user, query)).toEqual(await searchContents(from, user, query));
      }
    } finally {
      await Promise.all([from.close(), target.close()]);
    }
    // Again: nothing new.
    expect(jsonOf(await runBinary(['migrate', '--from', `file:${source}`, '--to', to, '--json']))).toMatchObject({ memoriesBefore: 300, memoriesAfter: 300 });

    // And back: PostgreSQL lists its users (the hostile id too) for a migration from it.
    const back = join(folder.path, 'from-postgres.db');
    expect(jsonOf(await runBinary(['migrate', '--from', to, '--to', `file:${back}`, '--json']))).toMatchObject({ records: 300, memoriesAfter: 300 });
    await expectSameContents(`file:${back}`, 'memory_');
  });

  it('libSQL file → Redis and back: long-term and session memory, searches and session filters alike', async () => {
    const to = `${REDIS_URL}?prefix=${encodeURIComponent(redisPrefix)}&sessionPrefix=${encodeURIComponent(`${redisPrefix}session:`)}`;
    const result = await migrateMemories({ from: `file:${source}`, to }, { env: {}, progress: false, stdout: process.stdout });
    expect(result).toMatchObject({ records: 312, written: 312, skippedSessionRecords: 0, memoriesBefore: 0, memoriesAfter: 312 });

    const from = new LibsqlProvider({ url: `file:${source}` });
    const fromSessions = new LibsqlProvider({ url: `file:${source}`, tablePrefix: 'session_' });
    const target = new RedisProvider({ url: REDIS_URL, prefix: redisPrefix });
    const targetSessions = new RedisProvider({ url: REDIS_URL, prefix: `${redisPrefix}session:` });
    try {
      for (const user of USERS) {
        expect(await contentsOf(target, user)).toEqual(await contentsOf(from, user));
        expect(await contentsOf(targetSessions, user)).toEqual(await contentsOf(fromSessions, user));
        for (const query of QUERIES) expect(await searchContents(target, user, query)).toEqual(await searchContents(from, user, query));
        const inSession = await targetSessions.getAll(user, { filters: { sessionId: 's1' } });
        expect(inSession.memories.map(({ memory }) => memory)).toEqual(
          (await fromSessions.getAll(user, { filters: { sessionId: 's1' } })).memories.map(({ memory }) => memory),
        );
      }
    } finally {
      await Promise.all([from.close(), fromSessions.close(), target.close(), targetSessions.close()]);
    }

    // And back: Redis lists its users by SCAN (the hostile id too), long-term and session.
    const back = join(folder.path, 'from-redis.db');
    const returned = await migrateMemories({ from: to, to: `file:${back}` }, { env: {}, progress: false, stdout: process.stdout });
    expect(returned).toMatchObject({ records: 312, memoriesAfter: 312 });
    await expectSameContents(`file:${back}`, 'memory_');
    await expectSameContents(`file:${back}`, 'session_');
  });

  it('encrypts on the way with --to-encryption-key: Redis holds ciphertext, the key reads the same memories', async () => {
    const key = Buffer.alloc(32, 3).toString('base64');
    const to = `${REDIS_URL}?prefix=${encodeURIComponent(encryptedPrefix)}&sessionPrefix=${encodeURIComponent(`${encryptedPrefix}s:`)}`;
    const run = await runBinary(['migrate', '--from', `file:${source}`, '--to', to, '--user', 'alice', '--to-encryption-key', key, '--json']);
    expect(jsonOf(run)).toMatchObject({ records: 104, written: 104 });

    const raw = new RedisProvider({ url: REDIS_URL, prefix: encryptedPrefix });
    const from = new LibsqlProvider({ url: `file:${source}` });
    try {
      const stored = (await raw.getAll('alice', { limit: 1000 })).memories;
      expect(stored).toHaveLength(100);
      expect(stored.some(({ memory }) => memory.includes('note'))).toBe(false);
      const decrypted = withEncryption(raw, { key, filterableFields: ['source', 'category', 'categories'] });
      expect(await contentsOf(decrypted, 'alice')).toEqual(await contentsOf(from, 'alice'));
      expect(await searchContents(decrypted, 'alice', 'tea bikes')).toEqual(await searchContents(from, 'alice', 'tea bikes'));
      // Only alice was named.
      expect((await raw.getAll('bob')).memories).toEqual([]);
    } finally {
      await Promise.all([raw.close(), from.close()]);
    }
  });

  it('names the option of a bad store URL', async () => {
    const run = await runBinary(['migrate', '--from', `file:${source}`, '--to', 'mysql://127.0.0.1/test', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { name: 'MemoryConfigurationError', field: '--to' } });
  });
});
