import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { MemoryProvider } from '@fastagentic/memory';
import { LibsqlProvider } from '@fastagentic/sqlite';

/** The machine's services; every test works in a schema, key prefix or folder of its own, removed afterwards. */
export const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const BINARY = fileURLToPath(new URL('../src/fastagentic-memory.ts', import.meta.url));

export interface BinaryRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `fastagentic-memory` as a child process (the source through tsx, so no build is needed),
 * with only the variables given (plus PATH), as a shell would.
 */
export function runBinary(args: string[], env: Record<string, string> = {}): Promise<BinaryRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', BINARY, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The one JSON object a `--json` run prints on stdout. */
export function jsonOf<T = Record<string, unknown>>(run: BinaryRun): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

export function temporaryFolder(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'fastagentic-cli-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function uniqueName(label: string): string {
  return `fa_cli_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Deletes every key under the prefixes (the test's own). */
export async function deleteRedisKeys(...prefixes: string[]): Promise<void> {
  const client = new Redis(REDIS_URL);
  try {
    for (const prefix of prefixes) {
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        if (keys.length > 0) await client.del(...keys);
        cursor = next;
      } while (cursor !== '0');
    }
  } finally {
    client.disconnect();
  }
}

/** A seed memory: unique text per user, metadata with a category and (for sessions) a sessionId. */
export interface SeedMemory {
  userId: string;
  text: string;
  metadata: Record<string, string | number>;
}

/** Memories of three users (one with a hostile id), each text unique, words shared so searches rank. */
export function seedMemories(count: number): SeedMemory[] {
  const users = ['alice', 'bob', 'user with spaces/and:colons{x}'];
  const topics = ['tea', 'bikes', 'rust', 'gardens', 'jazz', 'trains', 'chess'];
  return Array.from({ length: count }, (_, index) => ({
    userId: users[index % users.length]!,
    text: `note ${index} about ${topics[index % topics.length]} and ${topics[(index * 3 + 1) % topics.length]}`,
    metadata: { category: topics[index % topics.length]!, n: index },
  }));
}

/** Adds the memories in order, a batch of concurrent adds at a time (the store commits a batch together). */
export async function addAll(provider: MemoryProvider, memories: readonly SeedMemory[], batch = 500): Promise<void> {
  for (let at = 0; at < memories.length; at += batch) {
    await Promise.all(memories.slice(at, at + batch).map(({ userId, text, metadata }) => provider.add(userId, [{ role: 'user', content: text }], metadata)));
  }
}

/** A libSQL file with long-term memories and, when given, session memories (the servers' two table sets). */
export async function seedLibsqlFile(file: string, memories: readonly SeedMemory[], sessions: readonly SeedMemory[] = []): Promise<void> {
  const memory = new LibsqlProvider({ url: `file:${file}`, tablePrefix: 'memory_' });
  await addAll(memory, memories);
  await memory.close();
  if (sessions.length === 0) return;
  const session = new LibsqlProvider({ url: `file:${file}`, tablePrefix: 'session_', ttlSeconds: 3600 });
  await addAll(session, sessions);
  await session.close();
}

/** A user's memories as (text, metadata), newest first, to compare two stores whose ids differ. */
export async function contentsOf(provider: MemoryProvider, userId: string): Promise<Array<{ text: string; metadata: unknown }>> {
  const { memories } = await provider.getAll(userId, { limit: 1000 });
  return memories.map((memory) => ({ text: memory.memory, metadata: memory.metadata }));
}

/**
 * A search's results as (text, score), ordered by score, then text: ids differ between stores,
 * and memories tied in score are ordered by creation time, which an import does not keep.
 */
export async function searchContents(provider: MemoryProvider, userId: string, query: string, limit = 100): Promise<Array<[string, number]>> {
  const results = await provider.search(userId, query, { limit });
  return results
    .map((memory): [string, number] => [memory.memory, memory.score!])
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}
