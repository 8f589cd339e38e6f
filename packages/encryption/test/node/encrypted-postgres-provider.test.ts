import { PostgresProvider } from '@fastagentic/postgres';
import { CONFORMANCE_FILTER_FIELDS, testMemoryProvider } from '@fastagentic/testkit';
import pg from 'pg';
import { afterAll, expect } from 'vitest';
import { withEncryption, type EncryptedMemoryProvider } from '../../src/index.js';
import { describeEncryptionGuarantees, randomKey } from '../describe-encryption-guarantees.js';

// Node only: the machine's PostgreSQL, in schemas of this run, dropped afterwards.
const connectionString = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = (label: string) => `fa_test_enc_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const options = { key: randomKey(), filterableFields: CONFORMANCE_FILTER_FIELDS };
const conformanceSchema = schema('conf');
const guaranteesSchema = schema('guar');

async function query<Row>(text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const name of [conformanceSchema, guaranteesSchema]) await query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
});

testMemoryProvider({
  name: 'withEncryption(PostgresProvider), blind-indexed search',
  create: () => withEncryption(new PostgresProvider({ connectionString, schema: conformanceSchema }), options),
  createWithTtl: (ttlSeconds) =>
    withEncryption(new PostgresProvider({ connectionString, schema: conformanceSchema, tablePrefix: 'session_', ttlSeconds }), options),
  destroy: (provider) => ((provider as EncryptedMemoryProvider).inner as PostgresProvider).close(),
});

describeEncryptionGuarantees({
  name: 'PostgresProvider',
  createBackend: () => new PostgresProvider({ connectionString, schema: guaranteesSchema }),
  // Every row of every table of the schema (memories, postings, term statistics, users), read straight from the server.
  dumpBackend: async () => {
    const tables = await query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'`,
      [guaranteesSchema],
    );
    expect(tables.length).toBeGreaterThanOrEqual(4);
    const parts: string[] = [];
    for (const { table_name } of tables) {
      const rows = await query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${guaranteesSchema}"."${table_name}" t`);
      parts.push(...rows.map((row) => row.row));
    }
    return parts.join('\n');
  },
  destroyBackend: (backend) => (backend as PostgresProvider).close(),
});
