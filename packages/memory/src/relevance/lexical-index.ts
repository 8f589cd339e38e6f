import { tokenizeForRelevance } from './lexical-relevance.js';

export interface LexicalHit {
  /** The document's number, as given to `add`. */
  id: number;
  /** Distinct query terms the document contains. */
  matched: number;
  /** Sum of the matched terms' inverse document frequency: rarer shared words weigh more. */
  weight: number;
}

/**
 * An inverted index from term to the ascending ids of the documents containing it. Built for
 * one user's memories: ids only grow, so appends keep postings sorted and removal is a binary search.
 */
export class LexicalIndex {
  private readonly postings = new Map<string, number[]>();
  private documents = 0;

  add(id: number, text: string): void {
    for (const term of new Set(tokenizeForRelevance(text))) {
      const list = this.postings.get(term);
      if (list === undefined) this.postings.set(term, [id]);
      else if (list[list.length - 1]! < id) list.push(id);
      else list.splice(lowerBound(list, id), 0, id);
    }
    this.documents++;
  }

  remove(id: number, text: string): void {
    for (const term of new Set(tokenizeForRelevance(text))) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const at = lowerBound(list, id);
      if (list[at] !== id) continue;
      if (list.length === 1) this.postings.delete(term);
      else list.splice(at, 1);
    }
    this.documents--;
  }

  /** Every document sharing at least one term with the query, unordered. */
  search(queryTerms: readonly string[], accept?: (id: number) => boolean): LexicalHit[] {
    const lists: number[][] = [];
    const idfs: number[] = [];
    for (const term of queryTerms) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      lists.push(list);
      idfs.push(Math.log(1 + this.documents / list.length));
    }
    return lists.length <= MERGE_MAX_LISTS ? mergeHits(lists, idfs, accept) : tallyHits(lists, idfs, accept);
  }
}

/**
 * Up to this many matching terms, hits come from walking the sorted postings side by side (each
 * document met once, no map); beyond it a map tallies them, so a very long query stays linear.
 */
const MERGE_MAX_LISTS = 8;

function mergeHits(lists: number[][], idfs: number[], accept?: (id: number) => boolean): LexicalHit[] {
  const hits: LexicalHit[] = [];
  const positions = new Array<number>(lists.length).fill(0);
  for (;;) {
    let id = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const head = lists[i]![positions[i]!];
      if (head !== undefined && head < id) id = head;
    }
    if (id === Number.POSITIVE_INFINITY) return hits;
    let matched = 0;
    let weight = 0;
    for (let i = 0; i < lists.length; i++) {
      if (lists[i]![positions[i]!] === id) {
        positions[i]!++;
        matched++;
        weight += idfs[i]!;
      }
    }
    if (!accept || accept(id)) hits.push({ id, matched, weight });
  }
}

function tallyHits(lists: number[][], idfs: number[], accept?: (id: number) => boolean): LexicalHit[] {
  const hits = new Map<number, LexicalHit>();
  const rejected = new Set<number>();
  for (let i = 0; i < lists.length; i++) {
    const idf = idfs[i]!;
    for (const id of lists[i]!) {
      const hit = hits.get(id);
      if (hit !== undefined) {
        hit.matched++;
        hit.weight += idf;
      } else if (!rejected.has(id)) {
        if (accept && !accept(id)) rejected.add(id);
        else hits.set(id, { id, matched: 1, weight: idf });
      }
    }
  }
  return [...hits.values()];
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
