import type { Memory } from '@fastagentic/memory';
import type { Runnable, RunnableInput } from './runnable.js';

const MAX_RECALLED_CHARACTERS = 200;

/** The first line of a memory: for a stored exchange that is the user's own words, so replies do not grow with each turn. */
function recall(memory: Memory): string {
  const firstLine = memory.memory.split('\n', 1)[0]!;
  return firstLine.length > MAX_RECALLED_CHARACTERS ? `${firstLine.slice(0, MAX_RECALLED_CHARACTERS)}…` : firstLine;
}

/**
 * A deterministic runnable that needs no network or model: it repeats the last user message and
 * lists what it was given to remember, so a demo (or a test) can see exactly what was injected.
 */
export class OfflineRunnable implements Runnable {
  readonly name = 'offline';

  async run(input: RunnableInput): Promise<string> {
    const lastUser = [...input.messages].reverse().find((message) => message.role === 'user');
    const lines = [`You said: ${lastUser?.content ?? ''}`];
    lines.push(
      input.memories.length === 0 ? 'I remember nothing about you yet.' : `I remember: ${input.memories.map(recall).join(' | ')}`,
    );
    if (input.sessionMemories.length > 0) {
      lines.push(`Earlier in this session: ${input.sessionMemories.map(recall).join(' | ')}`);
    }
    return lines.join('\n');
  }
}
