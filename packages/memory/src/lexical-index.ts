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
    const hits = new Map<number, LexicalHit>();
    const rejected = new Set<number>();
    for (const term of queryTerms) {
      const list = this.postings.get(term);
      if (list === undefined) continue;
      const idf = Math.log(1 + this.documents / list.length);
      for (const id of list) {
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
