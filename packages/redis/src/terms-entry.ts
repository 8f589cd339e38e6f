import { terms } from '@fastagentic/memory/provider';

/**
 * What the index stores for one memory, from the core's term pipeline: its term count, then each
 * distinct term with its frequency (`length \0 term \x01 tf \0 term \x01 tf ...`), so `\0 term \x01`
 * finds a term's frequency with one plain search. The scripts build the postings from it. Terms
 * never hold NUL or \x01 (the pipeline keeps letters and digits), which makes them safe separators.
 */
export function termsEntry(text: string): string {
  return termsEntryOf(terms(text));
}

/**
 * The entry of supplied terms (`indexTerms`; repeats are term frequency). The core's validator
 * keeps control characters out of them, so the separators stay safe.
 */
export function termsEntryOf(all: readonly string[]): string {
  const frequencies = new Map<string, number>();
  for (const term of all) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  let entry = String(all.length);
  for (const [term, frequency] of frequencies) entry += `\0${term}\x01${frequency}`;
  return entry;
}

/** How often each term of an entry occurs, and the memory's term count. */
export function parseTermsEntry(entry: string): { frequencies: Map<string, number>; length: number } {
  const [length, ...pairs] = entry.split('\0');
  const frequencies = new Map<string, number>();
  for (const pair of pairs) {
    const split = pair.lastIndexOf('\x01');
    frequencies.set(pair.slice(0, split), Number(pair.slice(split + 1)));
  }
  return { frequencies, length: Number(length) };
}
