/**
 * Relevance v1, kept here only as the benchmark's baseline: the tokenizer and ranking the core
 * shipped before the term pipeline v2 (lower case, [\p{L}\p{N}]+ words, stop words, plural
 * folding; score = share of the query's words a memory contains, ties by rarity then newest).
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does for from had has have how i if in into is it its ' +
    'me my no not of on or our she he so than that the their them then there these they this to too us was we ' +
    'were what when where which who whom why will with would you your yours about also just am any some'
  ).split(' '),
);
const WORD = /[\p{L}\p{N}]+/gu;

function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us')) return word.slice(0, -1);
  return word;
}

export function termsV1(text: string): string[] {
  const words = text.toLowerCase().match(WORD) ?? [];
  const content = words.filter((word) => !STOP_WORDS.has(word));
  return (content.length > 0 ? content : words).map(stem);
}

/** v1's ranking over a fixed corpus: the `limit` best memory indexes for `query`. */
export class RankerV1 {
  private readonly postings = new Map<string, number[]>();
  constructor(private readonly memories: readonly string[]) {
    memories.forEach((text, id) => {
      for (const term of new Set(termsV1(text))) {
        const list = this.postings.get(term);
        if (list) list.push(id);
        else this.postings.set(term, [id]);
      }
    });
  }

  search(query: string, limit: number): number[] {
    const queryTerms = [...new Set(termsV1(query))];
    const hits = new Map<number, { matched: number; weight: number }>();
    for (const term of queryTerms) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + this.memories.length / list.length);
      for (const id of list) {
        const hit = hits.get(id) ?? { matched: 0, weight: 0 };
        hit.matched++;
        hit.weight += idf;
        hits.set(id, hit);
      }
    }
    return [...hits]
      .sort(([idA, a], [idB, b]) => b.matched - a.matched || b.weight - a.weight || idB - idA)
      .slice(0, limit)
      .map(([id]) => id);
  }
}
