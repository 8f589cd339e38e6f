import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { PostgresProvider } from '@fastagentic/postgres';
import { reindexStore, storeStats } from '../src/index.js';
import { addAll, contentsOf, dropSchema, jsonOf, POSTGRES_URL, runBinary, searchContents, seedLibsqlFile, seedMemories, temporaryFolder, uniqueName } from './cli-fixtures.js';

const folder = temporaryFolder();
const file = join(folder.path, 'memory.db');
const memories = seedMemories(90);
const sessions = seedMemories(6).map((memory, index) => ({ ...memory, text: `session ${index}`, metadata: { sessionId: 's' } }));
const schema = uniqueName('maintenance');
const context = { env: {}, progress: false, stdout: process.stdout };
const encoder = new TextEncoder();

beforeAll(async () => {
  await seedLibsqlFile(file, memories, sessions);
});
afterAll(async () => {
  await dropSchema(schema);
  folder.remove();
});

describe('stats, forget, reindex, backup', () => {
  it('stats counts users, memories and bytes per store, from the same variables as the servers', async () => {
    // No --store: FASTAGENTIC_DATA_DIR names the folder of memory.db, as for the servers.
    const stats = jsonOf<Record<string, any>>(await runBinary(['stats', '--json'], { FASTAGENTIC_DATA_DIR: folder.path }));
    const bytes = (list: typeof memories) => list.reduce((sum, { text, metadata }) => sum + encoder.encode(text).length + encoder.encode(JSON.stringify(metadata)).length, 0);
    expect(stats).toMatchObject({
      store: `libSQL file ${file}`,
      users: 6,
      memories: 96,
      bytes: bytes(memories) + bytes(sessions),
      scopes: [
        { store: 'memory', users: 3, memories: 90, bytes: bytes(memories) },
        { store: 'session', users: 3, memories: 6, bytes: bytes(sessions) },
      ],
    });
    expect(stats.storageBytes).toBeGreaterThan(0);
    // The human form says the same.
    const text = await runBinary(['stats', '--store', `file:${file}`]);
    expect(text.stdout).toContain('memory: 3 users, 90 memories');
  });

  it('stats on PostgreSQL reads its users table and its relation sizes', async () => {
    const provider = new PostgresProvider({ connectionString: POSTGRES_URL, schema });
    await addAll(provider, memories.slice(0, 20));
    await provider.close();
    const stats = await storeStats({ store: `${POSTGRES_URL}?schema=${schema}` }, context);
    expect(stats).toMatchObject({ users: 3, memories: 20 });
    expect(stats.storageBytes).toBeGreaterThan(0);
  });

  it('reindex rebuilds the term index: searches answer as before', async () => {
    const provider = new LibsqlProvider({ url: `file:${file}` });
    const before = await searchContents(provider, 'alice', 'tea bikes');
    // Empties the index, as a corrupted or half-migrated one would be.
    const client = createClient({ url: `file:${file}` });
    await client.batch(['DELETE FROM memory_postings', 'DELETE FROM memory_term_stats'], 'write');
    client.close();
    expect(await searchContents(provider, 'alice', 'tea bikes')).toEqual([]);

    const result = await reindexStore({ store: `file:${file}` }, context);
    expect(result.reindexed).toEqual([
      { store: 'memory', memories: 90 },
      { store: 'session', memories: 6 },
    ]);
    expect(await searchContents(provider, 'alice', 'tea bikes')).toEqual(before);
    await provider.close();
  });

  it('backup writes a consistent copy of a libSQL file, and refuses to overwrite one', async () => {
    const copy = join(folder.path, 'backup.db');
    const result = jsonOf<Record<string, any>>(await runBinary(['backup', '--store', `file:${file}`, '--output', copy, '--json']));
    expect(result).toMatchObject({ written: true, detail: copy });
    expect(result.bytes).toBeGreaterThan(0);
    const original = new LibsqlProvider({ url: `file:${file}` });
    const backup = new LibsqlProvider({ url: `file:${copy}` });
    expect(await contentsOf(backup, 'bob')).toEqual(await contentsOf(original, 'bob'));
    await Promise.all([original.close(), backup.close()]);

    const again = await runBinary(['backup', '--store', `file:${file}`, '--output', copy, '--json']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ error: { field: '--output' } });
  });

  it('backup of PostgreSQL and Redis names the tool to use', async () => {
    const postgres = jsonOf(await runBinary(['backup', '--store', `${POSTGRES_URL}?schema=${schema}`, '--json']));
    expect(postgres).toMatchObject({ written: false });
    expect(String(postgres.detail)).toContain('pg_dump');
    const redis = jsonOf(await runBinary(['backup', '--store', 'redis://127.0.0.1:6379', '--json']));
    expect(String(redis.detail)).toContain('BGSAVE');
  });

  it('forget deletes every memory of the users named, long-term and session, and no one else', async () => {
    const run = jsonOf<Record<string, any>>(await runBinary(['forget', '--store', `file:${file}`, '--user', 'alice', '--user', 'nobody', '--json']));
    expect(run.total).toBe(32);
    expect(run.deleted).toEqual([
      { userId: 'alice', store: 'memory', memories: 30 },
      { userId: 'nobody', store: 'memory', memories: 0 },
      { userId: 'alice', store: 'session', memories: 2 },
      { userId: 'nobody', store: 'session', memories: 0 },
    ]);
    const stats = await storeStats({ store: `file:${file}` }, context);
    expect(stats).toMatchObject({ users: 4, memories: 64 });
    expect(existsSync(file)).toBe(true);

    const missing = await runBinary(['forget', '--store', `file:${file}`]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('--user');
  });
});
