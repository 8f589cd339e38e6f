import { formatProfile } from '@fastagentic/memory';
import type { Runnable, RunnableInput } from './runnable.js';

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

const SECOND_PERSON: Readonly<Record<string, string>> = {
  i: 'you', "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", me: 'you', my: 'your', mine: 'yours',
  myself: 'yourself', 'i am': 'you are', 'i was': 'you were', we: 'you', our: 'your', us: 'you', "we're": "you're",
};

/** A memory stored as a raw exchange ("user: …\nassistant: …") is told back by its user lines only. */
function userPart(text: string): string {
  if (!/^(?:user|assistant|system|tool): /m.test(text)) return text.replace(/\s+/g, ' ');
  return text
    .split('\n')
    .filter((line) => line.startsWith('user: '))
    .map((line) => line.slice('user: '.length))
    .join('; ');
}

/** "My favourite colour is teal" → "your favourite colour is teal": a memory told back to its user. */
export function toSecondPerson(text: string): string {
  const told = text
    .trim()
    .replace(/[.!]+$/, '')
    .replace(/\b(?:i am|i was|i'm|i've|i'd|i'll|we're|i|me|my|mine|myself|we|our|us)\b/gi, (word) => SECOND_PERSON[word.toLowerCase()] ?? word);
  return told.charAt(0).toLowerCase() + told.slice(1);
}

/** Memories told back in one sentence: "You told me a, b and c." */
function toldBack(texts: readonly string[]): string {
  const told = texts.map((text) => toSecondPerson(userPart(text)));
  const list = told.length === 1 ? told[0]! : `${told.slice(0, -1).join(', ')} and ${told.at(-1)!}`;
  return `You told me ${list}.`;
}

/** How many memories the reply tells back: the best ones, as the strategy ordered them. */
const TOLD_BACK = 3;

/**
 * A deterministic runnable that needs no network or model: it answers from what was injected,
 * telling the user back their best memories ("You told me your favourite colour is teal.") and
 * their profile. Its reply is never stored as a memory (formation keeps only what the user
 * said), so reciting memories cannot copy them.
 */
export class OfflineRunnable implements Runnable {
  readonly name = 'offline';

  async run(input: RunnableInput): Promise<string> {
    const lines: string[] = [];
    const profile = input.profile ? formatProfile(input.profile) : '';
    if (input.memories.length > 0) lines.push(toldBack(input.memories.slice(0, TOLD_BACK).map((memory) => memory.memory)));
    if (profile) lines.push(profile.replace('About the user:', 'What I know about you:'));
    if (lines.length === 0) lines.push('I remember nothing about you yet.');
    if (input.sessionMemories.length > 0) {
      lines.push(`Earlier in this session: ${count(input.sessionMemories.length, 'turn', 'turns')}.`);
    }
    return lines.join('\n');
  }
}
