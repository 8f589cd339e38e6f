import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Bundles an entry as a Worker bundler would, and returns every module in its import graph. */
async function importGraph(entry: string, options: { external?: string[] } = {}): Promise<{ inputs: string[]; external: string[] }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    metafile: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    external: [...NODE_BUILTINS, ...(options.external ?? [])],
    logLevel: 'silent',
  });
  const metafile = result.metafile as Metafile;
  const external = Object.values(metafile.inputs).flatMap((input) =>
    input.imports.filter((edge) => edge.external).map((edge) => edge.path),
  );
  return { inputs: Object.keys(metafile.inputs), external };
}

/** The npm package each bundled file comes from (workspace packages by folder). */
function packagesOf(inputs: string[]): Set<string> {
  return new Set(
    inputs.map(
      (file) =>
        /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ??
        /^\.\.\/([^/.][^/]*)\//.exec(file)?.[1] ??
        file,
    ),
  );
}

describe('the edge entry @fastagentic/mem0, bundled', () => {
  it('loads neither mem0ai, axios nor a second zod, and no Node built-in', async () => {
    const { inputs, external } = await importGraph('../src/index.ts');
    const packages = packagesOf(inputs);
    expect(packages).toContain('memory');
    expect(packages).toContain('encryption');
    expect(packages).not.toContain('mem0ai');
    expect(packages).not.toContain('axios');
    expect(inputs.some((file) => file.includes('/mem0ai') || file.includes('/axios'))).toBe(false);
    // The core's zod only, one version of it.
    const zodCopies = new Set(inputs.filter((file) => file.includes('node_modules/.pnpm/zod@')).map((file) => /\.pnpm\/(zod@[^/]+)/.exec(file)![1]));
    expect(zodCopies.size).toBeLessThanOrEqual(1);
    expect(external).toEqual([]);
  });

  it('without @fastagentic/encryption installed it still bundles: encryption is loaded only for encryptionKey', async () => {
    const { inputs, external } = await importGraph('../src/index.ts', { external: ['@fastagentic/encryption'] });
    expect(packagesOf(inputs)).not.toContain('encryption');
    expect(external).toEqual(['@fastagentic/encryption']);
  });

  it('the self-hosted entry is the one that reaches mem0ai/oss', async () => {
    const { external } = await importGraph('../src/oss.ts', { external: ['mem0ai', 'mem0ai/oss'] });
    expect(external).toContain('mem0ai/oss');
  });
});
