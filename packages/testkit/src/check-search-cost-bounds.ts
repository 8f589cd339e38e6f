import { ProviderUnavailableError, type MemoryFilter, type MemoryProvider } from '@fastagentic/memory';
import { MEMORY_LIMITS } from '@fastagentic/memory/provider';

/** The costliest filter the core accepts: an OR of as many `in` conditions as the clause limit leaves, each list as long as allowed. */
export const FILTER_BOMB: MemoryFilter = {
  OR: Array.from({ length: MEMORY_LIMITS.maxFilterClauses - 1 }, (_, clause) => ({
    [`field${clause}`]: { in: Array.from({ length: MEMORY_LIMITS.maxFilterListLength }, (_, i) => `value-${clause}-${i}`) },
  })),
};

/** A query every memory `seedCommonWords` stores matches, on every term. */
export const COMMON_QUERY = 'common shared words';

/** Adds `count` memories to `userId` that all hold every term of COMMON_QUERY, 500 adds at a time. */
export async function seedCommonWords(provider: MemoryProvider, userId: string, count: number): Promise<void> {
  for (let done = 0; done < count; done += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, count - done) }, (_, i) =>
        provider.add(userId, [{ role: 'user', content: `common shared words, note ${done + i} of the flood` }], { n: done + i }),
      ),
    );
  }
}

export interface SearchCostOutcome {
  /** What the filter bomb resolved to: its results' length, or the typed error it threw. */
  bomb: { results: number } | { error: ProviderUnavailableError };
  /** Searches the flood ran. */
  floodSearches: number;
  /** The other user's lists completed while the flood ran (each one must succeed). */
  otherLists: number;
}

/**
 * The attack of issue 25 against a store, as the core lets it through: `attacker` holds many
 * memories matching COMMON_QUERY (seeded by the caller); the filter bomb (FILTER_BOMB, the largest search limit)
 * must come back as results or a typed, non-retryable ProviderUnavailableError (the store's search
 * budget), never anything else; then `floodLoops` loops of common-word searches (the largest search limit) run
 * `floodRounds` each while `victim` (one memory) lists its memories back to back: every list must
 * succeed and return that memory. Store tests add what they can check of the store's own work.
 */
export async function checkSearchCostBounds(
  provider: MemoryProvider,
  attacker: string,
  victim: string,
  { floodLoops = 4, floodRounds = 5 }: { floodLoops?: number; floodRounds?: number } = {},
): Promise<SearchCostOutcome> {
  const victimId = await provider.add(victim, [{ role: 'user', content: 'the only memory of another user' }]);
  let bomb: SearchCostOutcome['bomb'];
  try {
    bomb = { results: (await provider.search(attacker, COMMON_QUERY, { limit: MEMORY_LIMITS.maxSearchLimit, filters: FILTER_BOMB })).length };
  } catch (error) {
    if (!ProviderUnavailableError.isInstance(error) || error.isRetryable) throw error;
    bomb = { error };
  }
  let flooding = true;
  let floodSearches = 0;
  const flood = Array.from({ length: floodLoops }, async () => {
    for (let round = 0; round < floodRounds; round++) {
      await provider.search(attacker, COMMON_QUERY, { limit: MEMORY_LIMITS.maxSearchLimit });
      floodSearches++;
    }
  });
  const floodDone = Promise.all(flood).finally(() => {
    flooding = false;
  });
  let otherLists = 0;
  do {
    const page = await provider.getAll(victim);
    if (page.memories.length !== 1 || page.memories[0]!.id !== victimId) {
      throw new Error(`the other user's list returned ${page.memories.length} memories while the flood ran`);
    }
    otherLists++;
    // As requests arrive from sockets: a store answering from memory (a local file) would otherwise
    // never let the flood's timers run.
    await new Promise((resolve) => setTimeout(resolve, 1));
  } while (flooding);
  await floodDone;
  return { bomb, floodSearches, otherLists };
}
