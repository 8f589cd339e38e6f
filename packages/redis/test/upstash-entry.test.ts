import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SOURCE = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every module specifier reachable from a source file, following the package's own imports. */
async function reachableImports(file: string, seen = new Set<string>()): Promise<Set<string>> {
  const found = new Set<string>();
  if (seen.has(file)) return found;
  seen.add(file);
  const text = await readFile(file, 'utf8');
  for (const [, fromSpecifier, importedSpecifier] of text.matchAll(/\b(?:import|export)\b[^'"]*?from\s+'([^']+)'|\bimport\('([^']+)'\)/g)) {
    const specifier = fromSpecifier ?? importedSpecifier;
    if (specifier!.startsWith('.')) {
      const next = resolve(dirname(file), specifier!.replace(/\.js$/, '.ts'));
      for (const nested of await reachableImports(next, seen)) found.add(nested);
    } else {
      found.add(specifier!);
    }
  }
  return found;
}

it('the edge entry @fastagentic/redis/upstash reaches neither ioredis nor a Node built-in', async () => {
  const imports = [...(await reachableImports(resolve(SOURCE, 'upstash.ts')))];
  expect(imports.sort()).toEqual(['@fastagentic/memory', '@fastagentic/memory/provider', '@upstash/redis/cloudflare']);
  for (const specifier of imports) expect(builtinModules).not.toContain(specifier.replace(/^node:/, ''));
  expect([...(await reachableImports(resolve(SOURCE, 'index.ts')))]).toContain('ioredis');
});
