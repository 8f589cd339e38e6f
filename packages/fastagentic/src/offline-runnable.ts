import type { Memory } from '@fastagentic/memory';
import type { Runnable, RunnableInput } from './runnable.js';

const MAX_RECALLED_CHARACTERS = 200;
/**
 * Memories quoted per list. The reply is stored as the next memory, so quoting every injected
 * memory would copy all of them into each new one: every stored exchange would then contain every
 * topic (lexical search matches all of them, ranking means nothing) and be several times the size
 * of what the user said. A model answers with the few facts that matter; the response's
 * `memories` field still shows everything that was injected.
 */
const MAX_RECITED = 3;

/** The first line of a memory: for a stored exchange that is the user's own words, so replies do not grow with each turn. */
function recall(memory: Memory): string {
  const firstLine = memory.memory.split('\n', 1)[0]!;
  return firstLine.length > MAX_RECALLED_CHARACTERS ? `${firstLine.slice(0, MAX_RECALLED_CHARACTERS)}…` : firstLine;
}

function recite(memories: readonly Memory[]): string {
  const quoted = memories.slice(0, MAX_RECITED).map(recall).join(' | ');
  return memories.length > MAX_RECITED ? `${quoted} (+${memories.length - MAX_RECITED} more)` : quoted;
}

/**
 * A deterministic runnable that needs no network or model: it repeats the last user message and
 * quotes the first few memories it was given (best or newest first), so a demo (or a test) can see
 * what was injected.
 */
export class OfflineRunnable implements Runnable {
  readonly name = 'offline';

  async run(input: RunnableInput): Promise<string> {
    const lastUser = [...input.messages].reverse().find((message) => message.role === 'user');
    const lines = [`You said: ${lastUser?.content ?? ''}`];
    lines.push(
      input.memories.length === 0 ? 'I remember nothing about you yet.' : `I remember: ${recite(input.memories)}`,
    );
    if (input.sessionMemories.length > 0) {
      lines.push(`Earlier in this session: ${recite(input.sessionMemories)}`);
    }
    return lines.join('\n');
  }
}
