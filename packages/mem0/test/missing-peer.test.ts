import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `script` in a Node process where `hidden` packages are not installed; returns what it printed last. */
function without(hidden: string, script: string): unknown {
  const output = execFileSync(process.execPath, ['--import', 'tsx', '--import', './test/fixtures/hide-packages.mjs', '--input-type=module', '-e', script], {
    cwd: packageDir,
    encoding: 'utf8',
    env: { ...process.env, MEM0_TELEMETRY: 'false', HIDE_PACKAGES: hidden },
  });
  return JSON.parse(output.trim().split('\n').at(-1)!);
}

describe('optional peers', () => {
  it('the platform entry works without mem0ai', { timeout: 30_000 }, () => {
    const result = without('mem0ai', `
      const { Mem0Provider } = await import('./src/index.ts');
      const provider = new Mem0Provider({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1' });
      console.log(JSON.stringify({ provider: provider.provider }));
    `);
    expect(result).toEqual({ provider: 'mem0' });
  });

  it('the self-hosted entry without mem0ai: MemoryConfigurationError naming mem0ai on first use', { timeout: 30_000 }, () => {
    const result = without('mem0ai', `
      const { Mem0Provider } = await import('./src/oss.ts');
      const provider = new Mem0Provider({ config: { vector_store: { provider: 'memory' } } });
      try {
        await provider.getAll('u');
        console.log(JSON.stringify({ stored: true }));
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, option: error.option, message: error.message }));
      }
    `) as { name: string; option: string; message: string };
    expect(result).toMatchObject({ name: 'MemoryConfigurationError', option: 'mem0ai' });
    expect(result.message).toContain('npm install mem0ai');
  });

  it('encryptionKey without @fastagentic/encryption: MemoryConfigurationError naming it on first use', { timeout: 30_000 }, () => {
    const result = without('@fastagentic/encryption', `
      const { Mem0Provider } = await import('./src/index.ts');
      const key = btoa('k'.repeat(32));
      const provider = new Mem0Provider({ apiKey: 'k', baseUrl: 'http://127.0.0.1:1', encryptionKey: key });
      try {
        await provider.getAll('u');
        console.log(JSON.stringify({ listed: true }));
      } catch (error) {
        console.log(JSON.stringify({ name: error.name, option: error.option, message: error.message }));
      }
    `) as { name: string; option: string; message: string };
    expect(result).toMatchObject({ name: 'MemoryConfigurationError', option: '@fastagentic/encryption' });
    expect(result.message).toContain('npm install @fastagentic/encryption');
  });
});
