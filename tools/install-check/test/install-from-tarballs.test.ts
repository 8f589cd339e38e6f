import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compileTypeScript,
  installScenario,
  packPublishablePackages,
  runPrograms,
  type InstalledScenario,
} from '../src/install-scenarios.js';
import { SCENARIOS, SELF_HOSTED_MEM0_TYPES, TYPES_PROJECT } from '../src/scenarios.js';

// Every publishable package packed as published, installed with npm into fresh projects: what a
// user gets, with no workspace links to hide a missing file, dependency or types entry.
const installs = new Map<string, Promise<InstalledScenario>>();
let tarballDir: string;
beforeAll(async () => {
  tarballDir = await mkdtemp(join(tmpdir(), 'fastagentic-tarballs-'));
  const tarballs = await packPublishablePackages(tarballDir);
  for (const scenario of [...SCENARIOS, TYPES_PROJECT, SELF_HOSTED_MEM0_TYPES]) {
    installs.set(scenario.name, installScenario(scenario, tarballs));
  }
  // Installs run side by side; each test awaits its own.
  await Promise.allSettled(installs.values());
});
afterAll(async () => {
  const settled = await Promise.allSettled(installs.values());
  const dirs = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value.dir] : []));
  await Promise.all([tarballDir, ...dirs].map((dir) => rm(dir, { recursive: true, force: true })));
});

describe.each(SCENARIOS)('$name', (scenario) => {
  const installed = () => installs.get(scenario.name)!;

  it('installs without any native build or install script, and without mem0ai', async () => {
    const result = await installed();
    expect(result.withInstallScripts).toEqual([]);
    expect(result.nativeBuilds).toEqual([]);
    for (const name of scenario.packages) expect(result.packages).toContain(name);
    expect(result.packages).not.toContain('mem0ai');
  });

  it('imports from ESM and CommonJS', async () => {
    expect(await runPrograms(scenario, await installed())).toEqual({ esm: 'ok', cjs: 'ok' });
  });
});

// node10 (moduleResolution "node") is left to attw in `pnpm lint`, which checks every entry under it.
describe("every scenario's TypeScript program, without skipLibCheck", () => {
  it.concurrent.each(['node16', 'bundler'] as const)('type-checks under moduleResolution %s', async (resolution) => {
    expect(await compileTypeScript(SCENARIOS, await installs.get(TYPES_PROJECT.name)!, resolution)).toBe('');
  });
});

describe(SELF_HOSTED_MEM0_TYPES.name, () => {
  it('@fastagentic/mem0/oss loads and its types compile without skipLibCheck', async () => {
    const installed = await installs.get(SELF_HOSTED_MEM0_TYPES.name)!;
    expect(await runPrograms(SELF_HOSTED_MEM0_TYPES, installed)).toEqual({ esm: 'ok', cjs: 'ok' });
    expect(await compileTypeScript([SELF_HOSTED_MEM0_TYPES], installed, 'node16')).toBe('');
  });
});
