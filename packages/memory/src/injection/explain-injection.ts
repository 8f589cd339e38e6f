import { MemoryValidationError } from '../spec/memory-error.js';
import { MEMORY_LIMITS } from '../spec/memory-limits.js';
import { matchesFilter, parseMemoryFilter, type FilterNode, type MemoryFilter } from '../spec/memory-filter.js';
import type { MemoryProvider, SearchOptions } from '../spec/memory-provider.js';
import type { Memory } from '../spec/schemas.js';
import { validateUserId } from '../spec/validate-input.js';
import type { InjectedMemories, InjectionRequest, MemoryBudget, MemoryInjector } from './inject-memory.js';

/** Why a candidate was not injected (or not returned by a search). */
export type ExclusionReason =
  | { kind: 'filtered-out'; clause: string }
  | { kind: 'below-min-relevance'; minRelevance: number; shortBy: number }
  | { kind: 'outside-time-window'; timeWindowHours: number; ageHours: number }
  | { kind: 'over-max-memories'; maxMemories: number }
  | { kind: 'over-budget'; budget: MemoryBudget };

export interface ExcludedCandidate {
  memory: Memory;
  /** Relevance to the query (relevant strategy and search only). */
  score?: number;
  reason: ExclusionReason;
}

export interface Explanation {
  /** The provider that answered, and how long its answer took (the injection or search itself). */
  provider: string;
  durationMs: number;
  /** What was injected (or returned), in order. */
  included: Memory[];
  /** Every other candidate looked at, best (or newest) first, each with its reason. */
  excluded: ExcludedCandidate[];
  /**
   * How many of the user's memories were examined: at most `candidateLimit`, so memories beyond
   * it (the least relevant or oldest) are not listed.
   */
  candidatesExamined: number;
}

export interface ExplainedInjection extends InjectedMemories {
  explain: Explanation;
}

export interface ExplainOptions {
  /**
   * How many candidates the second, unfiltered read examines. Default 200, at most 1000; a search
   * (the `relevant` strategy, `explainSearch`) examines at most `MEMORY_LIMITS.maxSearchLimit` (100).
   */
  candidateLimit?: number;
}

const DEFAULT_CANDIDATE_LIMIT = 200;
const MAX_CANDIDATE_LIMIT = 1000;
const DEFAULT_MAX = { relevant: 10, recent: 20, all: 50 } as const;

function candidateLimitOf(options: ExplainOptions | undefined): number {
  const limit = options?.candidateLimit ?? DEFAULT_CANDIDATE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CANDIDATE_LIMIT) {
    throw new MemoryValidationError('candidateLimit', `must be an integer between 1 and ${MAX_CANDIDATE_LIMIT}`);
  }
  return limit;
}

function searchCandidateLimit(candidateLimit: number): number {
  return Math.min(candidateLimit, MEMORY_LIMITS.maxSearchLimit);
}

/** A filter clause in words, e.g. `category eq "travel"` or `OR(a eq 1, b eq 2)`. */
export function describeFilterClause(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
      return `AND(${node.children.map(describeFilterClause).join(', ')})`;
    case 'or':
      return `OR(${node.children.map(describeFilterClause).join(', ')})`;
    case 'not':
      return `NOT(${describeFilterClause(node.child)})`;
    case 'condition':
      return `${node.field} ${node.operator} ${JSON.stringify(node.value)}`;
  }
}

/** The first clause of an AND (at any depth) the memory fails; an OR or NOT is one clause. */
function failingClause(memory: Memory, node: FilterNode): string {
  if (node.kind === 'and') {
    const failing = node.children.find((child) => !matchesFilter(memory, child));
    if (failing) return failingClause(memory, failing);
  }
  return describeFilterClause(node);
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

interface Classification {
  filter: FilterNode | undefined;
  minRelevance?: number;
  timeWindowHours?: number;
  maxMemories: number;
  budget?: MemoryBudget;
  now: number;
}

/**
 * Why each candidate not included was left out, checked in the order the selection applies them:
 * filter, relevance floor or time window, the memory count, then the size budget.
 */
function classify(candidates: Memory[], included: Memory[], rules: Classification): ExcludedCandidate[] {
  const includedIds = new Set(included.map((memory) => memory.id));
  const excluded: ExcludedCandidate[] = [];
  let eligible = 0;
  for (const memory of candidates) {
    const score = memory.score;
    let reason: ExclusionReason | undefined;
    if (rules.filter && !matchesFilter(memory, rules.filter)) {
      reason = { kind: 'filtered-out', clause: failingClause(memory, rules.filter) };
    } else if (rules.minRelevance !== undefined && (score ?? 0) < rules.minRelevance) {
      reason = { kind: 'below-min-relevance', minRelevance: rules.minRelevance, shortBy: round(rules.minRelevance - (score ?? 0), 9) };
    } else {
      const position = eligible++;
      const ageHours = (rules.now - Date.parse(memory.createdAt)) / 3_600_000;
      if (includedIds.has(memory.id)) continue;
      if (rules.timeWindowHours !== undefined && ageHours > rules.timeWindowHours) {
        reason = { kind: 'outside-time-window', timeWindowHours: rules.timeWindowHours, ageHours: round(ageHours, 3) };
      } else if (position >= rules.maxMemories) {
        reason = { kind: 'over-max-memories', maxMemories: rules.maxMemories };
      } else if (rules.budget) {
        reason = { kind: 'over-budget', budget: rules.budget };
      } else {
        // Ranked in by the second read but not by the first: the store's ties or a concurrent write.
        reason = { kind: 'over-max-memories', maxMemories: rules.maxMemories };
      }
    }
    if (includedIds.has(memory.id)) continue;
    excluded.push(score === undefined ? { memory, reason } : { memory, score, reason });
  }
  return excluded;
}

async function timed<T>(call: () => Promise<T>): Promise<{ result: T; durationMs: number }> {
  const started = performance.now();
  const result = await call();
  return { result, durationMs: round(performance.now() - started, 3) };
}

/**
 * Runs an injector as usual and says why every other candidate was left out. Works over any
 * provider's public API: after the injection itself, one more read without the filter, floor or
 * window (a search with `minRelevance: 0`, or a page of the newest) fetches up to
 * `candidateLimit` candidates, and each is checked against the strategy's rules with the core's
 * `matchesFilter`. The injected memories and context are exactly what the injector returns. A
 * search only finds memories that match the query at all (a shared term, or an embedding's
 * neighbourhood), so the candidates of `relevant` are those.
 */
export async function explainInjection(
  injector: MemoryInjector,
  provider: MemoryProvider,
  request: InjectionRequest,
  options?: ExplainOptions,
): Promise<ExplainedInjection> {
  const candidateLimit = candidateLimitOf(options);
  const strategy = injector.options;
  const userId = validateUserId(request.userId, 'request.userId');
  const { result: injected, durationMs } = await timed(() => injector(provider, request));
  const signal = request.signal;
  const candidates =
    strategy.strategy === 'relevant'
      ? await provider.search(userId, request.query!, { limit: searchCandidateLimit(candidateLimit), minRelevance: 0, signal })
      : (await provider.getAll(userId, { limit: candidateLimit, signal })).memories;
  const excluded = classify(candidates, injected.memories, {
    filter: parseMemoryFilter(strategy.filters),
    maxMemories: strategy.maxMemories ?? DEFAULT_MAX[strategy.strategy],
    now: Date.now(),
    ...(strategy.strategy === 'relevant' && strategy.minRelevance !== undefined ? { minRelevance: strategy.minRelevance } : {}),
    ...(strategy.strategy === 'recent' && strategy.timeWindowHours !== undefined ? { timeWindowHours: strategy.timeWindowHours } : {}),
    ...(strategy.budget ? { budget: strategy.budget } : {}),
  });
  return {
    ...injected,
    explain: { provider: provider.provider, durationMs, included: injected.memories, excluded, candidatesExamined: candidates.length },
  };
}

export interface ExplainSearchOptions extends SearchOptions, ExplainOptions {}

/** A search, and why every other candidate (up to `candidateLimit`) was not among its results. */
export async function explainSearch(
  provider: MemoryProvider,
  userId: string,
  query: string,
  options: ExplainSearchOptions = {},
): Promise<Explanation> {
  const candidateLimit = candidateLimitOf(options);
  const { result: included, durationMs } = await timed(() =>
    provider.search(userId, query, { limit: options.limit, minRelevance: options.minRelevance, filters: options.filters, signal: options.signal }),
  );
  const candidates = await provider.search(userId, query, {
    limit: searchCandidateLimit(candidateLimit),
    minRelevance: 0,
    signal: options.signal,
  });
  const excluded = classify(candidates, included, {
    filter: parseMemoryFilter(options.filters as MemoryFilter | undefined),
    maxMemories: options.limit ?? DEFAULT_MAX.relevant,
    now: Date.now(),
    ...(options.minRelevance !== undefined ? { minRelevance: options.minRelevance } : {}),
  });
  return { provider: provider.provider, durationMs, included, excluded, candidatesExamined: candidates.length };
}
