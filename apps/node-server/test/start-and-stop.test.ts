import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { afterAll, describe, expect, it } from 'vitest';

// The first hour of a user: `pnpm start`, Ctrl-C, start again. Run through pnpm as the README's
// `pnpm start` ends (`pnpm --filter node-server start`), in a process group of its own so that
// SIGINT reaches pnpm, its shell and the server at once, as a terminal's Ctrl-C does.
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dataFolders: string[] = [];
const freshDataFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'fastagentic-start-stop-'));
  dataFolders.push(folder);
  return folder;
};
afterAll(() => {
  for (const folder of dataFolders) rmSync(folder, { recursive: true, force: true });
});

interface Started {
  url: string;
  token: string;
  output(): string;
  /** Ctrl-C: SIGINT to the whole process group; resolves with pnpm's exit code. */
  interrupt(): Promise<number | null>;
}

async function pnpmStart(dataFolder: string, env: Record<string, string> = {}): Promise<Started> {
  const { JWT_SECRET: _secret, JWKS_URL: _jwks, REDIS_URL: _redis, LIBSQL_URL: _libsql, INSPECTOR: _inspector, ...inherited } = process.env;
  const child = spawn('pnpm', ['--filter', 'node-server', 'start'], {
    cwd: repositoryRoot,
    env: { ...inherited, PORT: '0', FASTAGENTIC_DATA_DIR: dataFolder, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve((exitCode = code))));
  const deadline = Date.now() + 60_000;
  while (!/curl -s \S+\/metrics/.test(output) && exitCode === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
  const token = /export TOKEN=(\S+)/.exec(output)?.[1];
  if (!url || !token) {
    if (exitCode === undefined) process.kill(-child.pid!, 'SIGTERM');
    throw new Error(`the server did not start:\n${output}`);
  }
  return {
    url,
    token,
    output: () => output,
    interrupt: () => {
      process.kill(-child.pid!, 'SIGINT');
      return exited;
    },
  };
}

const addMemory = (server: Started, content: string) =>
  fetch(`${server.url}/memories`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ content }),
  });

describe('pnpm start, Ctrl-C, start again', () => {
  it('Ctrl-C exits 0 without pnpm error lines; memory.db alone then holds the data; a restart prints the same token', async () => {
    const dataFolder = freshDataFolder();
    const first = await pnpmStart(dataFolder);
    expect(first.output()).not.toContain('inspector:');
    for (let i = 0; i < 20; i++) expect((await addMemory(first, `Remembered fact number ${i}`)).status).toBe(201);

    expect(await first.interrupt()).toBe(0);
    expect(first.output()).toMatch(/SIGINT: finishing \d+ background write\(s\), then exiting/);
    expect(first.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/);

    // The WAL was checkpointed into the file: a copy of memory.db without its WAL is complete.
    const database = join(dataFolder, 'memory.db');
    expect(existsSync(`${database}-wal`) ? statSync(`${database}-wal`).size : 0).toBe(0);
    const copy = join(dataFolder, 'copy.db');
    copyFileSync(database, copy);
    const copied = new LibsqlProvider({ url: `file:${copy}`, tablePrefix: 'memory_' });
    try {
      expect((await copied.getAll('demo-user', { limit: 100 })).memories).toHaveLength(20);
    } finally {
      await copied.close();
    }

    const second = await pnpmStart(dataFolder);
    try {
      expect(second.token).toBe(first.token);
      const listed = await fetch(`${second.url}/memories?limit=100`, { headers: { authorization: `Bearer ${second.token}` } });
      expect(((await listed.json()) as { memories: unknown[] }).memories).toHaveLength(20);
    } finally {
      expect(await second.interrupt()).toBe(0);
    }
    expect(second.output()).not.toMatch(/ELIFECYCLE|ERR_PNPM|Command failed/);
  }, 180_000);

  it('INSPECTOR=true prints the inspector URL, and it serves the inspector', async () => {
    const server = await pnpmStart(freshDataFolder(), { INSPECTOR: 'true' });
    try {
      const printed = /inspector: (http:\/\/\S+\/inspector)/.exec(server.output())?.[1];
      expect(printed).toBe(`${server.url}/inspector`);
      const page = await fetch(printed!);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
    } finally {
      expect(await server.interrupt()).toBe(0);
    }
  }, 120_000);
});
