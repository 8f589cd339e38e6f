/// <reference types="node" />
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('the quick start stores, searches, injects and forgets, printing each step', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['src/quick-start.js'], { cwd: `${__dirname}/..` });
  // Both query terms, in a memory one term longer than the query: close to, not exactly, 1.
  expect(stdout).toMatch(/0\.9\d  I am vegetarian and allergic to peanuts/);
  expect(stdout).toContain('Relevant memories about the user:\n- user: I am flying to Lisbon in March');
  expect(stdout).toContain('Forgot bob: 1 memory deleted; alice still has 3.');
  expect(stdout).not.toContain('allergic to cats');
});
