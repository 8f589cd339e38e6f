import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLANTED_BUGS } from './planted-bug-provider.js';

const PACKAGE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const VITEST = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

interface JsonReport {
  testResults: Array<{ assertionResults: Array<{ ancestorTitles: string[]; title: string; status: string }> }>;
}

/** Failed test titles per planted bug ('none' for the reference), from one child vitest run. */
const failures = new Map<string, string[]>();
let outputDir: string;

beforeAll(async () => {
  outputDir = await mkdtemp(join(tmpdir(), 'testkit-mutation-'));
  const outputFile = join(outputDir, 'report.json');
  // The suite fails (exit code 1) for every mutant: the report, not the exit code, is the result.
  await new Promise<void>((done) => {
    execFile(
      process.execPath,
      [VITEST, 'run', '--config', 'test/mutation/vitest.mutation.config.ts', '--reporter=json', `--outputFile=${outputFile}`],
      { cwd: PACKAGE_DIR, env: { ...process.env, NO_COLOR: '1' } },
      () => done(),
    );
  });
  const report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonReport;
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      const bug = /^planted bug: (.*): MemoryProvider conformance$/.exec(test.ancestorTitles[0] ?? '')?.[1];
      if (bug === undefined) continue;
      const failed = failures.get(bug) ?? [];
      if (test.status === 'failed') failed.push(test.title);
      failures.set(bug, failed);
    }
  }
}, 120_000);

afterAll(() => rm(outputDir, { recursive: true, force: true }));

describe('the conformance suite catches every planted bug', () => {
  it('the reference provider, without a bug, passes', () => {
    expect(failures.has('none')).toBe(true);
    expect(failures.get('none')).toEqual([]);
  });

  for (const bug of PLANTED_BUGS) {
    it(`fails for: ${bug}`, () => {
      expect(failures.has(bug), 'the mutant ran').toBe(true);
      expect(failures.get(bug)!.length).toBeGreaterThan(0);
    });
  }
});
