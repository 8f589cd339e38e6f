import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryConfigurationError } from '@fastagentic/memory';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { selectProviders } from '../src/select-providers.js';

const databaseUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fa_test_node_server_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

// Session memory, which PostgreSQL does not hold here, goes to the data folder's libSQL file.
const FASTAGENTIC_DATA_DIR = mkdtempSync(join(tmpdir(), 'fastagentic-node-postgres-'));

afterAll(async () => {
  rmSync(FASTAGENTIC_DATA_DIR, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('selectProviders with PostgreSQL', () => {
  it('DATABASE_URL puts long-term memory on PostgreSQL, in the schema POSTGRES_SCHEMA names', async () => {
    const selected = selectProviders({ DATABASE_URL: databaseUrl, POSTGRES_SCHEMA: schema, FASTAGENTIC_DATA_DIR });
    try {
      expect([selected.memory.provider, selected.sessionMemory.provider]).toEqual(['postgres', 'libsql']);
      expect(selected.description[0]).toBe(`long-term: PostgreSQL 127.0.0.1:5432/test ("${schema}"."fastagentic_*")`);
      const id = await selected.memory.add('u', [{ role: 'user', content: 'Stored in PostgreSQL' }]);
      expect((await selected.memory.search('u', 'postgresql'))[0]?.id).toBe(id);
      expect(await selected.memory.deleteAll('u')).toBe(1);
    } finally {
      await selected.close();
    }
  });

  it('POSTGRES_URL works alike; Mem0 takes precedence; two different URLs stop the server naming the variable', async () => {
    const selected = selectProviders({ POSTGRES_URL: databaseUrl, POSTGRES_SCHEMA: schema, FASTAGENTIC_DATA_DIR });
    expect(selected.memory.provider).toBe('postgres');
    await selected.close();
    const mem0 = selectProviders({ MEM0_API_KEY: 'm0-test', MEM0_HOST: 'http://127.0.0.1:9', DATABASE_URL: databaseUrl, FASTAGENTIC_DATA_DIR });
    expect(mem0.memory.provider).toBe('mem0');
    await mem0.close();
    let error: unknown;
    try {
      selectProviders({ DATABASE_URL: databaseUrl, POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/other' });
    } catch (caught) {
      error = caught;
    }
    expect(MemoryConfigurationError.isInstance(error)).toBe(true);
    expect((error as MemoryConfigurationError).option).toBe('POSTGRES_URL');
    expect(() => selectProviders({ DATABASE_URL: 'mysql://nope' })).toThrow(/DATABASE_URL/);
  });
});
