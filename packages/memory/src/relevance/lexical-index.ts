import { finishScore, lengthNorm, prepareQuery, termContribution, type TermStatistics } from './score-terms.js';
import { terms } from './terms.js';

export interface LexicalHit {
  /** The memory's number, as given to `add`. */
  id: number;
  /** `scoreTerms` of the memory for the query, over the statistics of every memory in the index. */
  score: number;
}

/**
 * Ascending memory numbers holding a term, with how often each holds it and each one's term
 * count (repeated per posting so scoring reads it in order instead of looking it up per hit).
 */
interface Posting {
  ids: number[];
  frequencies: number[];
  lengths: number[];
}

/**
 * One user's inverted index from term to the memories holding it, with the statistics
 * `scoreTerms` needs (memory count, total and per-memory term counts, document frequencies),
 * all kept up to date on add and remove so a search scores only the memories it matches.
 * Numbers only grow, so appends keep postings sorted and removal is a binary search.
 */
export class LexicalIndex implements TermStatistics {
  private readonly postings = new Map<string, Posting>();
  private readonly lengths = new Map<number, number>();
  totalTermCount = 0;

  get memoryCount(): number {
    return this.lengths.size;
  }

  documentFrequency(term: string): number {
    return this.postings.get(term)?.ids.length ?? 0;
  }

  add(id: number, text: string): void {
    this.addTerms(id, terms(text));
  }

  /** Indexes `memoryTerms` (repeats are term frequency) as memory `id`: supplied terms, or `terms(text)`. */
  addTerms(id: number, memoryTerms: readonly string[]): void {
    this.lengths.set(id, memoryTerms.length);
    this.totalTermCount += memoryTerms.length;
    for (const [term, frequency] of countTerms(memoryTerms)) {
      const posting = this.postings.get(term);
      const length = memoryTerms.length;
      if (posting === undefined) {
        this.postings.set(term, { ids: [id], frequencies: [frequency], lengths: [length] });
      } else if (posting.ids[posting.ids.length - 1]! < id) {
        posting.ids.push(id);
        posting.frequencies.push(frequency);
        posting.lengths.push(length);
      } else {
        const at = lowerBound(posting.ids, id);
        posting.ids.splice(at, 0, id);
        posting.frequencies.splice(at, 0, frequency);
        posting.lengths.splice(at, 0, length);
      }
    }
  }

  remove(id: number, text: string): void {
    this.removeTerms(id, terms(text));
  }

  /** Removes memory `id`, indexed with `memoryTerms`. */
  removeTerms(id: number, memoryTerms: readonly string[]): void {
    const length = this.lengths.get(id);
    if (length === undefined) return;
    this.lengths.delete(id);
    this.totalTermCount -= length;
    for (const term of new Set(memoryTerms)) {
      const posting = this.postings.get(term);
      if (posting === undefined) continue;
      const at = lowerBound(posting.ids, id);
      if (posting.ids[at] !== id) continue;
      if (posting.ids.length === 1) {
        this.postings.delete(term);
      } else {
        posting.ids.splice(at, 1);
        posting.frequencies.splice(at, 1);
        posting.lengths.splice(at, 1);
      }
    }
  }

  /**
   * Every accepted memory sharing a term with the distinct `queryTerms`, scored, unordered.
   * Rarity counts every memory in the index, accepted or not: a filter never changes a score.
   */
  search(queryTerms: readonly string[], accept?: (id: number) => boolean): LexicalHit[] {
    if (queryTerms.length === 0 || this.memoryCount === 0) return [];
    const prepared = prepareQuery(queryTerms, this);
    const lists: Posting[] = [];
    const weights: number[] = [];
    queryTerms.forEach((term, i) => {
      const posting = this.postings.get(term);
      if (posting === undefined) return;
      lists.push(posting);
      weights.push(prepared.weights[i]!);
    });
    const scorer: HitScorer = (length, frequencies) => {
      const norm = lengthNorm(length, prepared.averageLength);
      let sum = 0;
      // Query-term order, as `scoreTerms` adds them, so the rounded scores are identical.
      for (let i = 0; i < frequencies.length; i++) {
        const frequency = frequencies[i]!;
        if (frequency > 0) sum += termContribution(weights[i]!, frequency, norm);
      }
      return finishScore(sum, prepared);
    };
    return lists.length <= MERGE_MAX_LISTS ? mergeHits(lists, scorer, accept) : tallyHits(lists, scorer, accept);
  }
}

/** The score of a memory of `length` terms holding each query term `frequencies[i]` times. */
type HitScorer = (length: number, frequencies: readonly number[]) => number;

function countTerms(memoryTerms: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of memoryTerms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

/**
 * Up to this many matching terms, hits come from walking the sorted postings side by side (each
 * memory met once, no map); beyond it a map tallies them, so a very long query stays linear.
 */
const MERGE_MAX_LISTS = 8;

function mergeHits(lists: Posting[], score: HitScorer, accept?: (id: number) => boolean): LexicalHit[] {
  const hits: LexicalHit[] = [];
  const positions = new Array<number>(lists.length).fill(0);
  const frequencies = new Array<number>(lists.length).fill(0);
  for (;;) {
    let id = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const head = lists[i]!.ids[positions[i]!];
      if (head !== undefined && head < id) id = head;
    }
    if (id === Number.POSITIVE_INFINITY) return hits;
    let length = 0;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i]!;
      const at = positions[i]!;
      if (list.ids[at] === id) {
        frequencies[i] = list.frequencies[at]!;
        length = list.lengths[at]!;
        positions[i] = at + 1;
      } else {
        frequencies[i] = 0;
      }
    }
    if (!accept || accept(id)) hits.push({ id, score: score(length, frequencies) });
  }
}

function tallyHits(lists: Posting[], score: HitScorer, accept?: (id: number) => boolean): LexicalHit[] {
  const tallies = new Map<number, number[]>();
  const lengths = new Map<number, number>();
  const rejected = new Set<number>();
  for (let i = 0; i < lists.length; i++) {
    const { ids, frequencies, lengths: memoryLengths } = lists[i]!;
    for (let at = 0; at < ids.length; at++) {
      const id = ids[at]!;
      let tally = tallies.get(id);
      if (tally === undefined) {
        if (rejected.has(id)) continue;
        if (accept && !accept(id)) {
          rejected.add(id);
          continue;
        }
        tally = new Array<number>(lists.length).fill(0);
        tallies.set(id, tally);
        lengths.set(id, memoryLengths[at]!);
      }
      tally[i] = frequencies[at]!;
    }
  }
  const hits: LexicalHit[] = [];
  for (const [id, tally] of tallies) hits.push({ id, score: score(lengths.get(id)!, tally) });
  return hits;
}

function lowerBound(list: readonly number[], id: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (list[mid]! < id) low = mid + 1;
    else high = mid;
  }
  return low;
}
