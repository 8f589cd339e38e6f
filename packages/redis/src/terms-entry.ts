import { terms } from '@fastagentic/memory/provider';

/**
 * What the index stores for one memory, from the core's term pipeline: its term count, then each
 * distinct term with its frequency, NUL-separated (`length \0 term \0 tf \0 term \0 tf ...`).
 * The scripts build the postings from it. Terms never hold NUL (the pipeline keeps letters and
 * digits), which is what makes NUL a safe separator.
 */
export function termsEntry(text: string): string {
  const all = terms(text);
  const frequencies = new Map<string, number>();
  for (const term of all) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
  let entry = String(all.length);
  for (const [term, frequency] of frequencies) entry += `\0${term}\0${frequency}`;
  return entry;
}
