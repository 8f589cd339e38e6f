import { ProviderUnavailableError } from '../spec/memory-error.js';

/** How long one search may run in a store before it stops with `searchBudgetExceeded` (ms). */
export const DEFAULT_SEARCH_TIME_BUDGET_MS = 5_000;

/** JavaScript work a search does between two yields to the event loop (ms). */
const SLICE_MS = 10;

/**
 * The error a store throws when one search used up its budget (time, or work such as filter
 * conditions evaluated) before it had its results: typed, not retryable (the same search would
 * cost the same), and naming what ran out so the caller narrows the query, filter or limit.
 */
export function searchBudgetExceeded(provider: string, what: string): ProviderUnavailableError {
  return new ProviderUnavailableError(
    provider,
    `the search used up its ${what} budget before it had its results: narrow the query, the filter or the limit`,
    { isRetryable: false },
  );
}

/**
 * Paces a search's JavaScript work (decoding rows, filtering, scoring): `pace()` between units of
 * work yields to the event loop once a slice of SLICE_MS is used, so other requests are served
 * meanwhile, and throws `searchBudgetExceeded` once the search has worked `timeMs`. Time spent
 * yielded is not counted: concurrent searches do not use up each other's budgets.
 */
export class SearchBudget {
  private worked = 0;
  private sliceStart = performance.now();

  constructor(
    private readonly provider: string,
    private readonly timeMs: number = DEFAULT_SEARCH_TIME_BUDGET_MS,
  ) {}

  /** Whether the current slice is used up: the caller then awaits `pace()`. Cheap enough per row. */
  get due(): boolean {
    return performance.now() - this.sliceStart >= SLICE_MS;
  }

  async pace(): Promise<void> {
    const slice = performance.now() - this.sliceStart;
    if (this.worked + slice >= this.timeMs) throw searchBudgetExceeded(this.provider, 'time');
    if (slice < SLICE_MS) return;
    this.worked += slice;
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.sliceStart = performance.now();
  }
}
