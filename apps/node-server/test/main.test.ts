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
  it('refuses a backend variable this build cannot honour, naming it', () => {
    for (const name of ['REDIS_URL', 'MEM0_API_KEY', 'ZEP_API_KEY', 'FASTAGENTIC_ENCRYPTION_KEY']) {
      let thrown: unknown;
      try {
        selectProviders({ [name]: 'set' });
      } catch (error) {
        thrown = error;
      }
      expect(MemoryConfigurationError.isInstance(thrown)).toBe(true);
      expect((thrown as MemoryConfigurationError).option).toBe(name);
    }
  });
});
