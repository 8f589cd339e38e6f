import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { CONFORMANCE_FILTER_FIELDS, testMemoryProvider } from '@fastagentic/testkit';
import { afterAll, expect, it } from 'vitest';
import { withEncryption, type EncryptedMemoryProvider } from '../../src/index.js';
import { describeEncryptionGuarantees, randomKey } from '../describe-encryption-guarantees.js';

// Node only: the libSQL file client. Every database file lives in a folder of this run, removed afterwards.
const folder = mkdtempSync(join(tmpdir(), 'fastagentic-encryption-sqlite-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const url = (name: string) => `file:${join(folder, name)}`;
const options = { key: randomKey(), filterableFields: CONFORMANCE_FILTER_FIELDS };

testMemoryProvider({
  name: 'withEncryption(LibsqlProvider), blind-indexed search',
  create: () => withEncryption(new LibsqlProvider({ url: url('conformance.db') }), options),
  createWithTtl: (ttlSeconds) => withEncryption(new LibsqlProvider({ url: url('session.db'), ttlSeconds }), options),
  destroy: (provider) => ((provider as EncryptedMemoryProvider).inner as LibsqlProvider).close(),
});

it('searches on the SQLite blind index', () => {
  const provider = withEncryption(new LibsqlProvider({ url: url('capabilities.db') }), options);
  expect(provider.inner.capabilities.suppliedTerms).toBe(true);
});

const guaranteesUrl = url('guarantees.db');
describeEncryptionGuarantees({
  name: 'LibsqlProvider',
  createBackend: () => new LibsqlProvider({ url: guaranteesUrl }),
  // Every row of every table (memories, postings, term statistics, users, meta), read straight from the file.
  dumpBackend: async () => {
    const client = createClient({ url: guaranteesUrl });
    try {
      const tables = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
      expect(tables.rows.length).toBeGreaterThanOrEqual(5);
      const parts: string[] = [];
      for (const table of tables.rows) {
        const name = table[0];
        const rows = await client.execute(`SELECT * FROM "${String(name)}"`);
        for (const row of rows.rows) {
          for (let i = 0; i < row.length; i++) parts.push(row[i] instanceof ArrayBuffer ? '' : String(row[i]));
        }
      }
      return parts.join('\n');
    } finally {
      client.close();
    }
  },
  destroyBackend: (backend) => (backend as LibsqlProvider).close(),
});
