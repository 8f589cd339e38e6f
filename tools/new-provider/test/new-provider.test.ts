import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newProvider, pascalCase } from '../src/new-provider.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const run = promisify(execFile);

/** The commands of CONTRIBUTING.md's "new provider" block, exactly as a contributor reads them. */
async function contributingSteps(): Promise<string[]> {
  const text = await readFile(join(ROOT, 'CONTRIBUTING.md'), 'utf8');
  const block = /<!-- new-provider-steps -->\s*```sh\n([\s\S]*?)```/.exec(text)?.[1];
  if (block === undefined) throw new Error('CONTRIBUTING.md has no new-provider-steps block');
  return block.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

describe('newProvider', () => {
  it('refuses names that are not package names, and an existing package', async () => {
    const root = await mkdtemp(join(tmpdir(), 'new-provider-'));
    try {
      for (const bad of ['Acme', 'acme_db', '-acme', 'acme-', '../acme', '']) {
        await expect(newProvider(bad, root)).rejects.toThrow('not a package name');
      }
      expect(pascalCase('acme-db2')).toBe('AcmeDb2');
      const files = await newProvider('acme-db', root);
      expect(files).toContain('packages/acme-db/src/acme-db-provider.ts');
      expect(files).toContain('.changeset/acme-db-provider.md');
      const manifest = JSON.parse(await readFile(join(root, 'packages/acme-db/package.json'), 'utf8'));
      expect(manifest).toMatchObject({
        name: '@fastagentic/acme-db',
        license: 'MIT',
        engines: { node: '>=20' },
        repository: { directory: 'packages/acme-db' },
      });
      expect(await readFile(join(root, 'packages/acme-db/LICENSE'), 'utf8')).toContain('MIT License');
      await expect(newProvider('acme-db', root)).rejects.toThrow('exists already');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("CONTRIBUTING.md's steps, verbatim, on a generated package", () => {
  it('the generated package passes lint and its conformance test right away', { timeout: 180_000 }, async () => {
    const name = `scaffold-check-${Math.random().toString(36).slice(2, 8)}`;
    const lockfile = join(ROOT, 'pnpm-lock.yaml');
    const lockfileBefore = await readFile(lockfile, 'utf8');
    // Only what the npm store already holds: the generated package adds no new dependency.
    const env = { ...process.env, npm_config_prefer_offline: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
    const steps = (await contributingSteps()).map((step) => step.replaceAll('<name>', name));
    expect(steps[0]).toBe(`pnpm new-provider ${name}`);
    expect(steps.some((step) => step.endsWith(' lint'))).toBe(true);
    expect(steps.some((step) => step.endsWith(' test'))).toBe(true);
    try {
      for (const step of steps) {
        const result = await run('bash', ['-c', step], { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }).catch(
          (error: { stdout?: string; stderr?: string }) => {
            throw new Error(`"${step}" failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
          },
        );
        if (step.endsWith(' test')) expect(result.stdout).toMatch(/Tests\s+\d+ passed/);
      }
    } finally {
      // Never leave it in the tree: the package, its changeset, and its lockfile entry go.
      await rm(join(ROOT, 'packages', name), { recursive: true, force: true });
      await rm(join(ROOT, '.changeset', `${name}-provider.md`), { force: true });
      await writeFile(lockfile, lockfileBefore);
      await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], { cwd: ROOT, env });
    }
    expect(await stat(join(ROOT, 'packages', name)).catch(() => null)).toBeNull();
  });
});
