// Words that carry no topic; dropping them keeps "what does the user like" from matching everything.
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its ' +
    'me my no not of on or our she he so than that the their them then there these they this to too us was we ' +
    'were what when where which who whom why will with would you your yours about also just am any some'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+/gu;

/** Folds simple English plurals so "cats" finds "cat"; deliberately no further stemming. */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

/** Lower-cased, stemmed content words; stop words are dropped unless nothing else is left. */
export function tokenizeForRelevance(text: string): string[] {
  const words = text.toLowerCase().match(WORD) ?? [];
  const content = words.filter((word) => !STOP_WORDS.has(word));
  return (content.length > 0 ? content : words).map(stem);
}

/**
 * Absolute lexical relevance in [0, 1]: the share of the query's distinct content words that the
 * memory contains. It does not depend on the other memories, so a memory matching one word of
 * a four-word query scores 0.25 even when it is the best match there is.
 */
export function lexicalRelevance(queryTerms: readonly string[], matchedTerms: number): number {
  if (queryTerms.length === 0) return 0;
  return Math.min(1, matchedTerms / queryTerms.length);
}
