import { spawn, type ChildProcess } from 'node:child_process';
import { createClient } from '@libsql/client';
import { afterAll, describe, expect, it } from 'vitest';
import { LibsqlProvider } from '../src/index.js';
import { temporaryFolder } from './temporary-database.js';

const folder = temporaryFolder('durability');
afterAll(() => folder.remove());

const WRITER = new URL('./fixtures/add-memories.ts', import.meta.url).pathname;

/** Starts a writer process; `ids` fills with every id whose add resolved in it. */
function startWriter(file: string, userId: string, count: number, inFlight: number): { child: ChildProcess; ids: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, userId, String(count), String(inFlight)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ids: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    ids.push(...lines.filter((line) => line.length > 0));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ids, exited };
}

async function integrityOf(file: string): Promise<string> {
  const client = createClient({ url: `file:${file}` });
  try {
    return String((await client.execute('PRAGMA integrity_check')).rows[0]![0]);
  } finally {
    client.close();
  }
}

async function storedIds(file: string, userId: string): Promise<Set<string>> {
  const provider = new LibsqlProvider({ url: `file:${file}` });
  const ids = new Set<string>();
  try {
    let cursor: string | undefined;
    do {
      const page = await provider.getAll(userId, { limit: 100, ...(cursor ? { cursor } : {}) });
      for (const memory of page.memories) ids.add(memory.id);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    // The index survived too: a search reaches the memories.
    expect((await provider.search(userId, 'durable tea', { limit: 5 })).length).toBe(Math.min(5, ids.size));
  } finally {
    await provider.close();
  }
  return ids;
}

describe('a libSQL file under crashes and concurrent processes', () => {
  it('keeps every acknowledged add when the writer is killed (SIGKILL) mid-stream, and the file stays intact', async () => {
    const file = folder.file('killed.db');
    const writer = startWriter(file, 'killed-user', 0, 8);
    while (writer.ids.length < 200) await new Promise((resolve) => setTimeout(resolve, 20));
    writer.child.kill('SIGKILL');
    await writer.exited;
    const acknowledged = [...writer.ids];
    expect(acknowledged.length).toBeGreaterThanOrEqual(200);
    expect(await integrityOf(file)).toBe('ok');
    const stored = await storedIds(file, 'killed-user');
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  }, 60_000);

  it('two processes writing one file lose no acknowledged write and do not corrupt it', async () => {
    const file = folder.file('shared.db');
    // Both start on a file that does not exist yet, so they also create the schema at the same time.
    const first = startWriter(file, 'writer-one', 150, 4);
    const second = startWriter(file, 'writer-two', 150, 4);
    expect(await first.exited).toBe(0);
    expect(await second.exited).toBe(0);
    expect(await integrityOf(file)).toBe('ok');
    expect(first.ids).toHaveLength(150);
    expect(second.ids).toHaveLength(150);
    expect(await storedIds(file, 'writer-one')).toEqual(new Set(first.ids));
    expect(await storedIds(file, 'writer-two')).toEqual(new Set(second.ids));
  }, 60_000);
});
