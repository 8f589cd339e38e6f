import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STORED_FIELDS } from '@fastagentic/encryption';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { selectProviders } from '../src/select-providers.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dataFolders: string[] = [];
const freshDataFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'fastagentic-node-server-'));
  dataFolders.push(folder);
  return folder;
};
afterAll(() => {
  for (const folder of dataFolders) rmSync(folder, { recursive: true, force: true });
});

/** Runs src/main.ts as `pnpm start` does; resolves once the startup lines are printed. */
async function startMain(dataFolder: string) {
  const { JWT_SECRET: _secret, JWKS_URL: _jwks, REDIS_URL: _redis, LIBSQL_URL: _libsql, ...inherited } = process.env;
  const env = { ...inherited, PORT: '0', FASTAGENTIC_DATA_DIR: dataFolder };
  const child = spawn(process.execPath, ['--import', 'tsx', main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 20_000;
  while (!/curl -s \S+\/metrics/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
  const token = /export TOKEN=(\S+)/.exec(output)?.[1];
  if (!url || !token) throw new Error(`the server did not start:\n${output}`);
  return { child, exited, url, token, output: () => output };
}

async function call(url: string, token: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('pnpm start (src/main.ts)', () => {
  it('prints the live providers and a working demo token, and drains on SIGTERM', async () => {
    const dataFolder = freshDataFolder();
    const server = await startMain(dataFolder);
    expect(server.output()).toContain(`long-term: libSQL file ${join(dataFolder, 'memory.db')}`);
    expect(server.output()).toContain(`session: libSQL file ${join(dataFolder, 'memory.db')}, expires after 3600 s idle`);
    expect(server.output()).toContain('runnable: offline');
    const response = await call(server.url, server.token, '/chat', { message: 'hello from the README' });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { reply: string }).reply).toBe('I remember nothing about you yet.');

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.output()).toMatch(/SIGTERM: finishing \d+ background write\(s\), then exiting/);
  });

  it('remembers across a restart: the memories and the printed token still work', async () => {
    const dataFolder = freshDataFolder();
    const first = await startMain(dataFolder);
    expect((await call(first.url, first.token, '/memories', { content: 'My favourite colour is teal' })).status).toBeLessThan(300);
    expect((await call(first.url, first.token, '/chat', { message: 'I keep bees on the roof', sessionId: 's1' })).status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(statSync(join(dataFolder, 'jwt-secret')).mode & 0o077).toBe(0);

    const second = await startMain(dataFolder);
    try {
      // The token printed by the first run is accepted by the second.
      const search = await call(second.url, first.token, '/memories/search?query=colour');
      expect(search.status).toBe(200);
      expect(JSON.stringify(await search.json())).toContain('My favourite colour is teal');
      const chat = await call(second.url, first.token, '/chat', { message: 'Which colour is my favourite?', sessionId: 's1' });
      expect(chat.status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    }
  });
});

describe('selectProviders', () => {
  const unique = () => `fastagentic-test:node-server:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  it('defaults to a libSQL file in the data folder, session memory in its own tables with a TTL', async () => {
    const dataFolder = freshDataFolder();
    const selected = selectProviders({ FASTAGENTIC_DATA_DIR: dataFolder });
    try {
      expect([selected.memory.provider, selected.sessionMemory.provider]).toEqual(['libsql', 'libsql']);
      expect(selected.sessionMemory.capabilities.ttl).toBe(true);
      const id = await selected.memory.add('u', [{ role: 'user', content: 'Stored in the file' }]);
      expect(await selected.sessionMemory.get('u', id)).toBeNull();
      expect(statSync(join(dataFolder, 'memory.db')).isFile()).toBe(true);
    } finally {
      await selected.close();
    }
  });

  it('refuses two databases at once, naming both', () => {
    expect(() => selectProviders({ REDIS_URL: redisUrl, LIBSQL_URL: 'file:/tmp/x.db' })).toThrow(
      /REDIS_URL and LIBSQL_URL are both set/,
    );
  });

  it('FASTAGENTIC_EMBEDDER_URL, _MODEL and _API_KEY give long-term memory an embedder, printed at start', async () => {
    const requests: { authorization?: string; model?: string }[] = [];
    // A local OpenAI-compatible /embeddings server: a vector from each text's letters.
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const { input, model } = JSON.parse(body) as { input: string[]; model: string };
        requests.push({ authorization: request.headers.authorization, model });
        const vector = (text: string) => [text.includes('vegetarian') ? 1 : 0, text.length % 7, 1];
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify({ data: input.map((text, index) => ({ index, embedding: vector(text) })) }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const selected = selectProviders({
      FASTAGENTIC_DATA_DIR: freshDataFolder(),
      FASTAGENTIC_EMBEDDER_URL: `http://127.0.0.1:${port}/v1`,
      FASTAGENTIC_EMBEDDER_MODEL: 'tiny-embed',
      FASTAGENTIC_EMBEDDER_API_KEY: 'sk-test',
    });
    try {
      expect(selected.description).toContain(`embedder: tiny-embed at http://127.0.0.1:${port}/v1`);
      expect(selected.description.join('\n')).not.toContain('sk-test');
      expect(selected.memory.capabilities.semanticSearch).toBe(true);
      expect(selected.sessionMemory.capabilities.semanticSearch).toBe(false);
      await selected.memory.add('u', [{ role: 'user', content: 'I am vegetarian' }]);
      const [found] = await selected.memory.search('u', 'what should I cook tonight');
      expect(found?.memory).toBe('I am vegetarian');
      expect(requests[0]).toEqual({ authorization: 'Bearer sk-test', model: 'tiny-embed' });
    } finally {
      await selected.close();
      server.close();
    }
    expect(() => selectProviders({ FASTAGENTIC_EMBEDDER_MODEL: 'tiny-embed' })).toThrow(/FASTAGENTIC_EMBEDDER_URL/);
    expect(() => selectProviders({ MEM0_API_KEY: 'k', FASTAGENTIC_EMBEDDER_URL: 'http://127.0.0.1:1/v1' })).toThrow(/Mem0 embeds memories itself/);
    const plain = selectProviders({ FASTAGENTIC_DATA_DIR: freshDataFolder() });
    expect(plain.description.join('\n')).toContain('embedder: none');
    await plain.close();
  });

  it('REDIS_URL puts long-term and session memory on Redis, under separate prefixes', async () => {
    const memoryPrefix = unique();
    const sessionPrefix = unique();
    const selected = selectProviders({ REDIS_URL: redisUrl, REDIS_MEMORY_PREFIX: memoryPrefix, REDIS_SESSION_PREFIX: sessionPrefix });
    try {
      expect([selected.memory.provider, selected.sessionMemory.provider]).toEqual(['redis', 'redis']);
      expect(selected.sessionMemory.capabilities.ttl).toBe(true);
      const id = await selected.memory.add('u', [{ role: 'user', content: 'Stored in Redis' }]);
      expect((await selected.memory.get('u', id))?.memory).toBe('Stored in Redis');
      expect(await selected.sessionMemory.get('u', id)).toBeNull();
      expect(await selected.memory.deleteAll('u')).toBe(1);
    } finally {
      await selected.close();
    }
  });

  it('with REDIS_URL and FASTAGENTIC_ENCRYPTION_KEY, session filters read the sessions index of the blind tokens', async () => {
    const sessionPrefix = unique();
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    const selected = selectProviders({ REDIS_URL: redisUrl, REDIS_MEMORY_PREFIX: unique(), REDIS_SESSION_PREFIX: sessionPrefix, FASTAGENTIC_ENCRYPTION_KEY: key });
    const client = new Redis(redisUrl);
    try {
      const ids: string[] = [];
      for (const sessionId of ['s1', 's2', 's1']) ids.push(await selected.sessionMemory.add('u', [{ role: 'user', content: `in ${sessionId}` }], { sessionId }));
      const page = await selected.sessionMemory.getAll('u', { filters: { sessionId: 's1' } });
      expect(page.memories.map((memory) => memory.id)).toEqual([ids[2], ids[0]]);
      // The user's keys as the Redis README lays them out: the prefix, the base64url id as hash tag, a letter.
      const tag = `${sessionPrefix}{${Buffer.from('u').toString('base64url')}}`;
      expect(await client.hget(`${tag}:s`, 'e')).toBe(JSON.stringify(`${STORED_FIELDS.index}sessionId`));
      // Members are blind tokens, never the session ids themselves.
      const members = await client.zrange(`${tag}:n`, '0', '-1');
      expect(members).toHaveLength(3);
      for (const member of members) expect(member).not.toMatch(/^s[12]\0/);
      expect(await selected.sessionMemory.deleteAll('u')).toBe(3);
      expect(await selected.memory.deleteAll('u')).toBe(0);
    } finally {
      client.disconnect();
      await selected.close();
    }
  });

  it('FASTAGENTIC_ENCRYPTION_KEY encrypts both stores; a bad key stops the server naming the variable', async () => {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    const selected = selectProviders({ FASTAGENTIC_ENCRYPTION_KEY: key, FASTAGENTIC_DATA_DIR: freshDataFolder() });
    const id = await selected.sessionMemory.add('u', [{ role: 'user', content: 'secret' }], { sessionId: 's1' });
    expect((await selected.sessionMemory.getAll('u', { filters: { sessionId: 's1' } })).memories.map((m) => m.id)).toEqual([id]);
    expect(selected.description.at(-1)).toContain('encryption');
    for (const bad of ['short', Buffer.alloc(16).toString('base64')]) {
      let thrown: unknown;
      try {
        selectProviders({ FASTAGENTIC_ENCRYPTION_KEY: bad, FASTAGENTIC_DATA_DIR: freshDataFolder() });
      } catch (error) {
        thrown = error;
      }
      expect(MemoryConfigurationError.isInstance(thrown)).toBe(true);
      expect((thrown as MemoryConfigurationError).option).toBe('FASTAGENTIC_ENCRYPTION_KEY');
    }
  });

  it('MEM0_API_KEY selects Mem0; MEM0_INFER=false keeps text verbatim so it can be encrypted', () => {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    const FASTAGENTIC_DATA_DIR = freshDataFolder();
    const mem0 = selectProviders({ MEM0_API_KEY: 'm0-test', MEM0_HOST: 'http://127.0.0.1:9', FASTAGENTIC_DATA_DIR });
    expect([mem0.memory.provider, mem0.memory.capabilities.storage]).toEqual(['mem0', 'extracted']);
    expect(() => selectProviders({ MEM0_API_KEY: 'm0-test', MEM0_HOST: 'http://127.0.0.1:9', FASTAGENTIC_ENCRYPTION_KEY: key, FASTAGENTIC_DATA_DIR })).toThrow(
      MemoryConfigurationError,
    );
    const verbatim = selectProviders({
      MEM0_API_KEY: 'm0-test',
      MEM0_HOST: 'http://127.0.0.1:9',
      MEM0_INFER: 'false',
      FASTAGENTIC_ENCRYPTION_KEY: key,
      FASTAGENTIC_DATA_DIR,
    });
    expect(verbatim.memory.provider).toBe('encrypted:mem0');
    expect(() => selectProviders({ MEM0_API_KEY: 'm0-test', ZEP_API_KEY: 'z_test' })).toThrow(/choose one/);
  });

  it('ZEP_API_KEY selects Zep for long-term memory; encryption over Zep is refused', () => {
    const FASTAGENTIC_DATA_DIR = freshDataFolder();
    expect(selectProviders({ ZEP_API_KEY: 'z_test', FASTAGENTIC_DATA_DIR }).memory.provider).toBe('zep');
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    expect(() => selectProviders({ ZEP_API_KEY: 'z_test', FASTAGENTIC_ENCRYPTION_KEY: key, FASTAGENTIC_DATA_DIR })).toThrow(
      MemoryConfigurationError,
    );
  });
});

/** Runs src/main.ts with `env` until it exits or prints its URL; returns what it printed. */
async function runMain(
  env: Record<string, string>,
  until: RegExp,
): Promise<{ output: string; exited: Promise<number | null>; stop(): void }> {
  const { JWT_SECRET: _secret, JWKS_URL: _jwks, REDIS_URL: _redis, LIBSQL_URL: _libsql, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    env: { ...inherited, FASTAGENTIC_DATA_DIR: freshDataFolder(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (exitCode) => ((done = true), resolve(exitCode))));
  const deadline = Date.now() + 20_000;
  while (!until.test(output) && !done && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return { output, exited, stop: () => child.kill('SIGTERM') };
}

describe('operations: one clear line per problem', () => {
  it('a busy port, a bad setting and a short secret stop the server with one line naming the variable', async () => {
    const first = await runMain({ PORT: '0' }, /listening on/);
    const port = /listening on http:\/\/[^:]+:(\d+)/.exec(first.output)![1]!;
    try {
      const busy = await runMain({ PORT: port }, /Cannot start/);
      expect(busy.output).toMatch(new RegExp(`Cannot start: PORT: 127\\.0\\.0\\.1:${port} is already in use`));
      expect(busy.output).not.toMatch(/\n\s+at /);
    } finally {
      first.stop();
    }
    const badUrl = await runMain({ PORT: '0', REDIS_URL: 'http://not-redis' }, /Cannot start/);
    expect(badUrl.output).toMatch(/Cannot start: REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL/);
    const shortSecret = await runMain({ PORT: '0', JWT_SECRET: 'short' }, /Cannot start/);
    expect(shortSecret.output).toMatch(/Cannot start: JWT_SECRET: must be at least 32 characters/);
    expect(await shortSecret.exited).toBe(1);
  }, 60_000);

  it('an unreachable store is a warning line at start, and /health names it', async () => {
    const started = await runMain({ PORT: '0', REDIS_URL: 'redis://127.0.0.1:1' }, /warning: /);
    try {
      expect(started.output).toMatch(/warning: memory \(redis\) is not answering: .*\/health/);
      const url = /listening on (http:\/\/\S+)/.exec(started.output)![1]!;
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { stores: { memory: { state: string } } }).stores.memory.state).toBe('down');
    } finally {
      started.stop();
    }
  }, 60_000);
});
