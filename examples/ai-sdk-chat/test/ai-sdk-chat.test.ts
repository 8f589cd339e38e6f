/// <reference types="node" />
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

it('the AI SDK example forms alice’s memories, injects them into her next turn, streams, and keeps bob apart', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['src/ai-sdk-chat.js'], { cwd: `${__dirname}/..` });
  expect(stdout).toContain('model> Noted. (I knew: nothing yet)');
  // The profile and the relevant fact, both formed from alice's first turn.
  expect(stdout).toContain('model> Since you told me: "Diet: vegetarian", "I am vegetarian and I love spicy food", try a chickpea curry.');
  expect(stdout).toContain('bob>   What should I cook tonight, something spicy?\nmodel> Noted. (I knew: nothing yet)');
  // What the user said, never the model's reply; bob's question is not a memory.
  expect(stdout).toContain('Stored for alice: ["About the user: - Diet: vegetarian","I am vegetarian and I love spicy food"]; for bob: [].');
});
