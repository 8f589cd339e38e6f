import { MemoryValidationError } from '../spec/memory-error.js';
import type { MemoryFilter } from '../spec/memory-filter.js';
import { MEMORY_LIMITS } from '../spec/memory-limits.js';
import type { MemoryProvider } from '../spec/memory-provider.js';
import type { Memory } from '../spec/schemas.js';
import { validateUserId } from '../spec/validate-input.js';
import { formatMemoryContext } from './format-memory-context.js';

export type MemoryBudget = { maxCharacters: number } | { maxTokens: number };

interface InjectionCommon {
  /** Most memories to inject. Defaults: relevant 10, recent 20, all 50 (as in the spec). */
  maxMemories?: number;
  /** Narrows the candidates with the core filter language. */
  filters?: MemoryFilter;
  /** Stops adding memories once the context (framing included) would exceed this size. */
  budget?: MemoryBudget;
  /**
   * Turns the chosen memories into the text inside the block. Default: `formatMemories`. The
   * fixed framing (MEMORY_CONTEXT_FRAMING) is put around it either way.
   */
  format?: (memories: Memory[]) => string;
}

export interface RelevantInjectionOptions extends InjectionCommon {
  strategy: 'relevant';
  /** Absolute relevance floor in [0, 1]. Default 0 (no floor). */
  minRelevance?: number;
}

export interface RecentInjectionOptions extends InjectionCommon {
  strategy: 'recent';
  /** Only memories created within this many hours. Default: no window. */
  timeWindowHours?: number;
}

export interface AllInjectionOptions extends InjectionCommon {
  strategy: 'all';
}

export type InjectMemoryOptions = RelevantInjectionOptions | RecentInjectionOptions | AllInjectionOptions;

export interface InjectionRequest {
  userId: string;
  /** The user's message: the search query of the `relevant` strategy. */
  query?: string;
  signal?: AbortSignal;
}

export interface InjectedMemories {
  memories: Memory[];
  /** The framed block for a system message (see formatMemoryContext), empty when there are no memories. */
  context: string;
}

/** A strategy bound to its options: give it a provider and a request, get the memories to inject. */
export interface MemoryInjector {
  readonly options: Readonly<InjectMemoryOptions>;
  (provider: MemoryProvider, request: InjectionRequest): Promise<InjectedMemories>;
}

const DEFAULT_MAX: Record<InjectMemoryOptions['strategy'], number> = { relevant: 10, recent: 20, all: 50 };

/** A rough token count (about four characters a token in English) for budgets without a tokenizer. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

function positiveInteger(value: number | undefined, field: string, max: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value <= 0 || value > max) {
    throw new MemoryValidationError(field, `must be an integer between 1 and ${max}`);
  }
}

function validateOptions(options: InjectMemoryOptions): void {
  const strategy = (options as { strategy?: unknown }).strategy;
  if (strategy !== 'relevant' && strategy !== 'recent' && strategy !== 'all') {
    throw new MemoryValidationError('strategy', 'must be "relevant", "recent" or "all"');
  }
  // `relevant` asks for maxMemories search results, the others for a page of that size.
  const maxMemories = strategy === 'relevant' ? MEMORY_LIMITS.maxSearchLimit : MEMORY_LIMITS.maxLimit;
  positiveInteger(options.maxMemories, 'maxMemories', maxMemories);
  if (options.strategy === 'relevant' && options.minRelevance !== undefined) {
    if (!(options.minRelevance >= 0 && options.minRelevance <= 1)) {
      throw new MemoryValidationError('minRelevance', 'must be a number between 0 and 1');
    }
  }
  if (options.strategy === 'recent' && options.timeWindowHours !== undefined) {
    if (!(Number.isFinite(options.timeWindowHours) && options.timeWindowHours > 0)) {
      throw new MemoryValidationError('timeWindowHours', 'must be a positive number of hours');
    }
  }
  if (options.budget !== undefined) {
    const size = 'maxCharacters' in options.budget ? options.budget.maxCharacters : options.budget.maxTokens;
    const field = 'maxCharacters' in options.budget ? 'budget.maxCharacters' : 'budget.maxTokens';
    if (!(Number.isInteger(size) && size > 0)) throw new MemoryValidationError(field, 'must be a positive integer');
  }
}

function fitBudget(memories: Memory[], budget: MemoryBudget | undefined, inside: InjectionCommon['format']) {
  const format = (chosen: Memory[]) => formatMemoryContext({ memories: chosen, format: inside });
  const context = format(memories);
  if (budget === undefined) return { memories, context };
  const measure = 'maxCharacters' in budget ? (text: string) => text.length : estimateTokens;
  const limit = 'maxCharacters' in budget ? budget.maxCharacters : budget.maxTokens;
  if (measure(context) <= limit) return { memories, context };
  // Memories arrive best (or newest) first, so the longest prefix that fits keeps the most useful ones.
  let low = 0;
  let high = memories.length;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (measure(format(memories.slice(0, mid))) <= limit) low = mid;
    else high = mid - 1;
  }
  const kept = memories.slice(0, low);
  return { memories: kept, context: format(kept) };
}

/**
 * The spec's `inject_memory`: picks memories for a request by strategy.
 * - `relevant`: a search for the request's query, above `minRelevance`.
 * - `recent`: the newest memories, optionally within `timeWindowHours`.
 * - `all`: the newest memories up to `maxMemories`.
 */
export function injectMemory(options: InjectMemoryOptions): MemoryInjector {
  validateOptions(options);
  const frozen = Object.freeze({ ...options });
  const max = options.maxMemories ?? DEFAULT_MAX[options.strategy];

  const injector = async (provider: MemoryProvider, request: InjectionRequest): Promise<InjectedMemories> => {
    const userId = validateUserId(request.userId, 'request.userId');
    let memories: Memory[];
    if (frozen.strategy === 'relevant') {
      if (typeof request.query !== 'string' || request.query.trim().length === 0) {
        throw new MemoryValidationError('request.query', 'the relevant strategy needs the user message as a query');
      }
      memories = await provider.search(userId, request.query, {
        limit: max,
        minRelevance: frozen.minRelevance,
        filters: frozen.filters,
        signal: request.signal,
      });
    } else {
      const page = await provider.getAll(userId, { limit: max, filters: frozen.filters, signal: request.signal });
      memories = page.memories;
      if (frozen.strategy === 'recent' && frozen.timeWindowHours !== undefined) {
        const since = Date.now() - frozen.timeWindowHours * 3_600_000;
        memories = memories.filter((memory) => Date.parse(memory.createdAt) >= since);
      }
    }
    return fitBudget(memories, frozen.budget, frozen.format);
  };
  return Object.assign(injector, { options: frozen });
}
