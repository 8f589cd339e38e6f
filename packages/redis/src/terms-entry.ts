import { terms } from '@fastagentic/memory/provider';

/**
 * What the index stores for one memory, from the core's term pipeline: its term count, then each
 * distinct term with its frequency (`length \0 term \x01 tf \0 term \x01 tf ...`), so `\0 term \x01`
 * finds a term's frequency with one plain search. The scripts build the postings from it. Terms
 * never hold NUL or \x01 (the pipeline keeps letters and digits), which makes them safe separators.
 */
export function termsEntry(text: string): string {
  const all = terms(text);
  const frequencies = new Map<string, number>();
  for (const term of all) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  let entry = String(all.length);
  for (const [term, frequency] of frequencies) entry += `\0${term}\x01${frequency}`;
  return entry;
}
