import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { frameMemoryContext } from './injection/format-memory-context.js';

const folder = mkdtempSync(join(tmpdir(), 'fastagentic-readme-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function snippets(readme: string): string[] {
  const text = readFileSync(new URL(readme, import.meta.url), 'utf8');
  return [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** Top-level names a snippet declares: `const a`, `const { b, c }`. */
function declared(code: string): string[] {
  const names: string[] = [];
  for (const [, single, destructured] of code.matchAll(/^const (?:(\w+)|\{([^}]+)\})/gm)) {
    if (single) names.push(single);
    else names.push(...destructured!.split(',').map((name) => name.trim().split(':').at(-1)!.trim()));
  }
  return names;
}

/**
 * What a fragment (a snippet without imports) may use without declaring it: a provider holding one
 * memory, a user, a query and an injector. The snippet itself runs verbatim after this prelude.
 */
const PRELUDE: Record<string, string> = {
  provider: "const provider = new InMemoryProvider();\nawait provider.add('alice', [{ role: 'user', content: 'I am vegetarian' }]);",
  userId: "const userId = 'alice';",
  query: "const query = 'vegetarian dinner ideas';",
  userMessage: "const userMessage = 'vegetarian dinner ideas';",
  inject: "const inject = injectMemory({ strategy: 'relevant', maxMemories: 10 });",
};

let counter = 0;
/** Runs a snippet as its own module; resolves to the names it declares. */
async function run(code: string): Promise<Record<string, any>> {
  let source = code;
  if (!/^import /m.test(code)) {
    const own = new Set(declared(code));
    const prelude = Object.entries(PRELUDE)
      .filter(([name]) => !own.has(name))
      .map(([, line]) => line);
    source = `import * as core from '@fastagentic/memory';\nconst { InMemoryProvider, injectMemory, explainInjection, explainSearch } = core;\n${prelude.join('\n')}\n${code}`;
  }
  const names = declared(code);
  const file = join(folder, `snippet-${++counter}.ts`);
  writeFileSync(file, `${source}\nexport { ${names.join(', ')} };\n`);
  return import(/* @vite-ignore */ file);
}

// Each snippet is transformed and imported on its own: generous timeouts for a loaded machine.
describe('README snippets run verbatim and do what they say', { timeout: 60_000 }, () => {
  it('the root README Quick start finds the fact and injects the profile', async () => {
    const [quickStart] = snippets('../../../README.md');
    const { found, prefs, memories, context } = await run(quickStart!);
    expect(found.map((memory: { memory: string }) => memory.memory)).toEqual(['I am vegetarian']);
    expect(prefs.memories).toHaveLength(1);
    expect(memories).toEqual([]);
    expect(context).toBe(frameMemoryContext(['About the user:\n- Diet: vegetarian\n- Allergic to: peanuts']));
  });

  it('every snippet of the memory README', async () => {
    const all = snippets('../README.md');
    // The cached-reads snippet needs a Redis client and @fastagentic/redis, which depends on this package.
    const here = all.filter((code) => !code.includes('RedisCacheGenerationStore'));
    expect(all.length - here.length).toBe(1);
    expect(here.length).toBeGreaterThanOrEqual(3);
    for (const code of here) {
      const values = await run(code);
      if (code.includes('formMemories')) {
        expect(values.memories.map((memory: { memory: string }) => memory.memory)).toEqual(['I moved to Berlin']);
        expect(values.profile).toEqual({ home: 'Berlin' });
      }
    }
  });
});
