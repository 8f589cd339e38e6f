import type { Runnable, RunnableInput } from './runnable.js';

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * A deterministic runnable that needs no network or model: it repeats the last user message and
 * says how many memories it was given. It never quotes them: the reply is stored as the next
 * memory, and a reply that recites memories would copy them into every new one (memories
 * snowballing with copies of themselves). The chat response's `memories` field shows what was injected.
 */
export class OfflineRunnable implements Runnable {
  readonly name = 'offline';

  async run(input: RunnableInput): Promise<string> {
    const lastUser = [...input.messages].reverse().find((message) => message.role === 'user');
    const lines = [`You said: ${lastUser?.content ?? ''}`];
    lines.push(
      input.memories.length === 0
        ? 'I remember nothing about you yet.'
        : `I recalled ${count(input.memories.length, 'memory', 'memories')} about you.`,
    );
    if (input.sessionMemories.length > 0) {
      lines.push(`Earlier in this session: ${count(input.sessionMemories.length, 'turn', 'turns')}.`);
    }
    return lines.join('\n');
  }
}
