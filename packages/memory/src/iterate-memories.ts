import type { GetAllOptions, MemoryProvider } from './spec/memory-provider.js';
import type { Memory } from './spec/schemas.js';

/** Walks every page of a user's memories, newest first. */
export async function* iterateMemories(
  provider: MemoryProvider,
  userId: string,
  options: Omit<GetAllOptions, 'cursor'> = {},
): AsyncGenerator<Memory> {
  let cursor: string | undefined;
  do {
    const page = await provider.getAll(userId, cursor === undefined ? options : { ...options, cursor });
    yield* page.memories;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
