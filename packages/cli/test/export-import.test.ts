import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withEncryption } from '@fastagentic/encryption';
import { MemoryValidationError } from '@fastagentic/memory';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { importMemories } from '../src/index.js';
import { contentsOf, jsonOf, runBinary, seedLibsqlFile, seedMemories, temporaryFolder, addAll } from './cli-fixtures.js';

const folder = temporaryFolder();
const source = join(folder.path, 'source.db');
const memories = seedMemories(60);
const sessions = seedMemories(9).map((memory, index) => ({ ...memory, text: `session line ${index}`, metadata: { sessionId: `s${index % 2}` } }));

beforeAll(async () => {
  await seedLibsqlFile(source, memories, sessions);
});
afterAll(() => folder.remove());

describe('export and import (the binary, libSQL files)', () => {
  it('exports a header and one line per memory, long-term and session, ids and times as stored', async () => {
    const file = join(folder.path, 'all.jsonl');
    const summary = jsonOf(await runBinary(['export', '--store', `file:${source}`, '--output', file, '--json']));
    expect(summary).toMatchObject({ format: 'fastagentic-memory', version: 1, records: 69, output: file });

    const lines = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ format: 'fastagentic-memory', version: 1, source: `libSQL file ${source}` });
    expect(Date.parse(lines[0].exportedAt)).not.toBeNaN();
    const records = lines.slice(1);
    expect(records).toHaveLength(69);
    expect(records.filter((record) => record.store === 'session')).toHaveLength(9);

    const stored = new LibsqlProvider({ url: `file:${source}` });
    const alice = (await stored.getAll('alice', { limit: 1000 })).memories;
    await stored.close();
    const exported = records.filter((record) => record.store === 'memory' && record.userId === 'alice');
    expect(exported.map(({ id, text, metadata, createdAt, updatedAt }) => ({ id, text, metadata, createdAt, updatedAt }))).toEqual(
      alice.map(({ id, memory, metadata, createdAt, updatedAt }) => ({ id, text: memory, metadata, createdAt, updatedAt })),
    );
  });

  it('exports to stdout for a pipe: stdout is the JSONL alone, the --json summary goes to stderr', async () => {
    const run = await runBinary(['export', '--store', `file:${source}`, '--user', 'bob', '--json']);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ format: 'fastagentic-memory', version: 1 });
    expect(lines.slice(1).every((record) => record.userId === 'bob')).toBe(true);
    expect(lines).toHaveLength(1 + 20 + 3);
    expect(JSON.parse(run.stderr.trimEnd().split('\n').pop()!)).toMatchObject({ output: '-', records: 23 });
  });

  it('imports into a new file with the same contents in the same order, and a second import stores nothing new', async () => {
    const file = join(folder.path, 'round-trip.jsonl');
    const target = join(folder.path, 'target.db');
    expect((await runBinary(['export', '--store', `file:${source}`, '-o', file])).code).toBe(0);

    const first = jsonOf(await runBinary(['import', file, '--store', `file:${target}`, '--json']));
    expect(first).toMatchObject({ records: 69, written: 69, memoriesBefore: 0, memoriesAfter: 69, idempotent: true, skippedSessionRecords: 0 });
    const second = jsonOf(await runBinary(['import', file, '--store', `file:${target}`, '--json']));
    expect(second).toMatchObject({ records: 69, memoriesBefore: 69, memoriesAfter: 69 });

    for (const prefix of ['memory_', 'session_']) {
      const from = new LibsqlProvider({ url: `file:${source}`, tablePrefix: prefix });
      const to = new LibsqlProvider({ url: `file:${target}`, tablePrefix: prefix });
      for (const user of ['alice', 'bob', 'user with spaces/and:colons{x}']) {
        expect(await contentsOf(to, user)).toEqual(await contentsOf(from, user));
      }
      // The session filter still finds a session's memories after the move.
      const session = await to.getAll('alice', { filters: { sessionId: 's0' } });
      expect(prefix === 'memory_' || session.memories.length > 0).toBe(true);
      await Promise.all([from.close(), to.close()]);
    }
  });

  it('reads and writes through the encryption key: plaintext in the export, ciphertext in both files', async () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const encryptedSource = join(folder.path, 'encrypted.db');
    const raw = new LibsqlProvider({ url: `file:${encryptedSource}` });
    await addAll(withEncryption(raw, { key }), memories.slice(0, 12));
    await raw.close();

    const file = join(folder.path, 'encrypted.jsonl');
    const env = { FASTAGENTIC_ENCRYPTION_KEY: key };
    expect((await runBinary(['export', '--store', `file:${encryptedSource}`, '-o', file], env)).code).toBe(0);
    const texts = readFileSync(file, 'utf8').trimEnd().split('\n').slice(1).map((line) => JSON.parse(line).text);
    expect(texts.sort()).toEqual(memories.slice(0, 12).map(({ text }) => text).sort());

    const target = join(folder.path, 'encrypted-target.db');
    expect(jsonOf(await runBinary(['import', file, '--store', `file:${target}`, '--json'], env))).toMatchObject({ memoriesAfter: 12 });
    const stored = new LibsqlProvider({ url: `file:${target}` });
    const [ciphertext] = (await stored.getAll('alice', { limit: 1 })).memories;
    expect(memories.some(({ text }) => ciphertext!.memory.includes(text))).toBe(false);
    const decrypted = withEncryption(stored, { key });
    expect((await decrypted.search('alice', 'tea')).length).toBeGreaterThan(0);
    await stored.close();
  });

  it('refuses a file of another format, naming the line and field, and writes nothing', async () => {
    const file = join(folder.path, 'other.jsonl');
    writeFileSync(file, `${JSON.stringify({ format: 'something-else', version: 1 })}\n`);
    const target = join(folder.path, 'never.db');
    const run = await runBinary(['import', file, '--store', `file:${target}`, '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { name: 'MemoryValidationError', field: 'line 1.format' } });
    expect(existsSync(target)).toBe(false);

    writeFileSync(file, `${JSON.stringify({ format: 'fastagentic-memory', version: 1 })}\n${JSON.stringify({ type: 'memory', store: 'memory', userId: 'u' })}\n`);
    const bad = await runBinary(['import', file, '--store', `file:${target}`, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { field: 'line 2.id' } });
    // A file is checked whole before the store is opened.
    expect(existsSync(target)).toBe(false);
  });

  it('reads standard input once, checking lines as they come: users whose records all came before a bad line are stored', async () => {
    const target = join(folder.path, 'from-stdin.db');
    const record = (userId: string, id: string, text: string) => ({ type: 'memory', store: 'memory', userId, id, text, metadata: {}, createdAt: '', updatedAt: '' });
    const line = (value: unknown) => `${JSON.stringify(value)}\n`;
    const header = line({ format: 'fastagentic-memory', version: 1 });
    const carol = line(record('carol', 'c1', 'Carol sails'));
    const dave = line(record('dave', 'd1', 'Dave rows'));
    const context = { env: {}, progress: false, stdout: process.stdout };
    const input = [header, carol, dave, line({ ...record('dave', 'd2', 'Dave swims'), metadata: 'not an object' })];
    const failed = await importMemories({ file: '-', store: `file:${target}` }, context, Readable.from(input)).catch((error: unknown) => error);
    expect(MemoryValidationError.isInstance(failed) && failed.field).toBe('line 4.metadata');
    const stored = new LibsqlProvider({ url: `file:${target}` });
    // A user's records are written together once the user's last line is read: dave's were not.
    expect((await stored.getAll('carol')).memories.map(({ memory }) => memory)).toEqual(['Carol sails']);
    expect((await stored.getAll('dave')).memories).toEqual([]);
    await stored.close();
    // Fixed and run again: carol is not stored twice.
    const fixed = [header, carol, dave, line(record('dave', 'd2', 'Dave swims'))];
    expect(await importMemories({ file: '-', store: `file:${target}` }, context, Readable.from(fixed))).toMatchObject({ memoriesBefore: 1, memoriesAfter: 3 });
  });

  it('exits with 2 on a usage error, naming the option, and prints its version', async () => {
    const usage = await runBinary(['import', 'any.jsonl', '--concurrency', '0']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--concurrency');
    const version = await runBinary(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version}\n` });
  });

  it('refuses an export of a file that does not exist instead of creating it', async () => {
    const run = await runBinary(['export', '--store', `file:${join(folder.path, 'missing.db')}`, '--json', '-o', join(folder.path, 'x.jsonl')]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { name: 'MemoryConfigurationError', field: '--store' } });
  });
});
