/// <reference types="node" />
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('the AI SDK example injects alice’s memories into her next turn, streams, and keeps bob apart', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['src/ai-sdk-chat.js'], { cwd: `${__dirname}/..` });
  expect(stdout).toContain('model> Noted. (I knew: nothing yet)');
  expect(stdout).toContain('model> Since you told me: "I am vegetarian and I love spicy food", try a chickpea curry.');
  expect(stdout).toContain('bob>   What should I cook tonight, something spicy?\nmodel> Noted. (I knew: nothing yet)');
  expect(stdout).toContain('Stored for alice: 2 turns; for bob: 1.');
});
