import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MemoryConfigurationError } from '@fastagentic/memory';
import { describe, expect, it } from 'vitest';
import { selectProviders } from '../src/select-providers.js';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('pnpm start (src/main.ts)', () => {
  it('prints the live providers and a working demo token, and drains on SIGTERM', async () => {
    const { JWT_SECRET: _secret, JWKS_URL: _jwks, ...inherited } = process.env;
    const env = { ...inherited, PORT: '0' };
    const child = spawn(process.execPath, ['--import', 'tsx', main], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 15_000;
    while (!/curl -s \S+\/metrics/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    expect(output).toContain('long-term: in-memory');
    expect(output).toContain('session: in-memory, expires after 3600 s idle');
    expect(output).toContain('runnable: offline');
    const url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
    const token = /export TOKEN=(\S+)/.exec(output)![1]!;
    const response = await fetch(`${url}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'hello from the README' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { reply: string }).reply).toContain('You said: hello from the README');

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: finishing \d+ background write\(s\), then exiting/);
  });
});

describe('selectProviders', () => {
  const unique = () => `fastagentic-test:node-server:${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}:`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  it('defaults to in-memory stores with a session TTL', async () => {
    const selected = selectProviders({});
    expect([selected.memory.provider, selected.sessionMemory.provider]).toEqual(['in-memory', 'in-memory']);
    expect(selected.sessionMemory.capabilities.ttl).toBe(true);
    await selected.close();
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

  it('FASTAGENTIC_ENCRYPTION_KEY encrypts both stores; a bad key stops the server naming the variable', async () => {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    const selected = selectProviders({ FASTAGENTIC_ENCRYPTION_KEY: key });
    const id = await selected.sessionMemory.add('u', [{ role: 'user', content: 'secret' }], { sessionId: 's1' });
    expect((await selected.sessionMemory.getAll('u', { filters: { sessionId: 's1' } })).memories.map((m) => m.id)).toEqual([id]);
    expect(selected.description.at(-1)).toContain('encryption');
    for (const bad of ['short', Buffer.alloc(16).toString('base64')]) {
      let thrown: unknown;
      try {
        selectProviders({ FASTAGENTIC_ENCRYPTION_KEY: bad });
      } catch (error) {
        thrown = error;
      }
      expect(MemoryConfigurationError.isInstance(thrown)).toBe(true);
      expect((thrown as MemoryConfigurationError).option).toBe('FASTAGENTIC_ENCRYPTION_KEY');
    }
  });

  it('MEM0_API_KEY selects Mem0; MEM0_INFER=false keeps text verbatim so it can be encrypted', () => {
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    const mem0 = selectProviders({ MEM0_API_KEY: 'm0-test', MEM0_HOST: 'http://127.0.0.1:9' });
    expect([mem0.memory.provider, mem0.memory.capabilities.storage]).toEqual(['mem0', 'extracted']);
    expect(() => selectProviders({ MEM0_API_KEY: 'm0-test', MEM0_HOST: 'http://127.0.0.1:9', FASTAGENTIC_ENCRYPTION_KEY: key })).toThrow(
      MemoryConfigurationError,
    );
    const verbatim = selectProviders({ MEM0_API_KEY: 'm0-test', MEM0_HOST: 'http://127.0.0.1:9', MEM0_INFER: 'false', FASTAGENTIC_ENCRYPTION_KEY: key });
    expect(verbatim.memory.provider).toBe('encrypted:mem0');
    expect(() => selectProviders({ MEM0_API_KEY: 'm0-test', ZEP_API_KEY: 'z_test' })).toThrow(/choose one/);
  });

  it('ZEP_API_KEY selects Zep for long-term memory; encryption over Zep is refused', () => {
    expect(selectProviders({ ZEP_API_KEY: 'z_test' }).memory.provider).toBe('zep');
    const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
    expect(() => selectProviders({ ZEP_API_KEY: 'z_test', FASTAGENTIC_ENCRYPTION_KEY: key })).toThrow(
      MemoryConfigurationError,
    );
  });
});
