import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function staticImports(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(IMPORT)].map((match) => (match[1] ?? match[2])!);
}

/** Every bare module the file reaches through its relative imports. */
function reachableModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of staticImports(file)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else modules.add(specifier);
    }
  };
  visit(entry);
  return modules;
}

describe('the edge entry', () => {
  it('@fastagentic/mem0 reaches no Node built-in and not mem0ai/oss', () => {
    const modules = reachableModules(resolve(import.meta.dirname, '../src/index.ts'));
    expect([...modules].sort()).toEqual(['@fastagentic/memory', 'mem0ai']);
  });

  it("mem0ai's MemoryClient build imports only axios and uuid statically (its fs use is a guarded dynamic import)", () => {
    const require = createRequire(import.meta.url);
    const clientBuild = join(dirname(require.resolve('mem0ai')), 'index.mjs');
    const modules = staticImports(clientBuild);
    expect(modules.sort()).toEqual(['axios', 'uuid']);
    expect(modules.some((name) => NODE_BUILTINS.has(name))).toBe(false);
  });

  it('the self-hosted entry is the one that reaches mem0ai/oss', () => {
    expect(reachableModules(resolve(import.meta.dirname, '../src/oss.ts'))).toContain('mem0ai/oss');
  });
});
