/// <reference types="node" />
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('the quick start stores, searches, injects and forgets, printing each step', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['src/quick-start.js'], { cwd: `${__dirname}/..` });
  expect(stdout).toContain('1.00  I am vegetarian and allergic to peanuts');
  expect(stdout).toContain('Relevant memories about the user:\n- user: I am flying to Lisbon in March');
  expect(stdout).toContain('Forgot bob: 1 memory deleted; alice still has 3.');
  expect(stdout).not.toContain('allergic to cats');
});
