import type { MemoryProvider } from '@fastagentic/memory';
import { expect } from 'vitest';

/**
 * What session memory asks of a store on every chat, checked on a user with many other memories:
 * `others` memories in another session, added in three concurrent batches, and after each batch
 * two of session `mine`, one of them listing two session ids (`eq` on a list means "contains").
 * The session's memories must come back newest first in one page and through cursors, an AND must
 * narrow them, and another user sharing the session id must not show. For stores that index the
 * session: their own tests then check the index was used. Returns the session's ids, newest first.
 */
export async function checkSessionReads(provider: MemoryProvider, userId: string, others = 3_000): Promise<string[]> {
  const note = (content: string) => [{ role: 'user' as const, content }];
  const mine: string[] = [];
  for (let batch = 0; batch < 3; batch++) {
    await Promise.all(
      Array.from({ length: Math.ceil(others / 3) }, (_, i) => provider.add(userId, note(`other ${batch}-${i}`), { sessionId: 'other', n: i })),
    );
    mine.unshift(await provider.add(userId, note(`mine ${batch}`), { sessionId: 'mine', n: batch }));
    mine.unshift(await provider.add(userId, note(`listed ${batch}`), { sessionId: ['elsewhere', 'mine'], n: 10 + batch }));
  }
  const neighbour = `${userId}-neighbour`;
  await provider.add(neighbour, note('not yours'), { sessionId: 'mine' });

  const page = await provider.getAll(userId, { filters: { sessionId: 'mine' }, limit: 10 });
  expect(page.memories.map((memory) => memory.id), 'one page of the session').toEqual(mine);
  expect(page.nextCursor, 'the session fits one page').toBeNull();
  const paged: string[] = [];
  let cursor: string | undefined;
  do {
    const next = await provider.getAll(userId, { filters: { sessionId: 'mine' }, limit: 4, ...(cursor ? { cursor } : {}) });
    paged.push(...next.memories.map((memory) => memory.id));
    cursor = next.nextCursor ?? undefined;
  } while (cursor);
  expect(paged, 'the session through cursors').toEqual(mine);
  const later = await provider.getAll(userId, { filters: { AND: [{ n: { gte: 2 } }, { sessionId: 'mine' }] }, limit: 10 });
  expect(later.memories.map((memory) => memory.metadata.n), 'the session AND another condition').toEqual([12, 2, 11, 10]);
  await provider.deleteAll(neighbour);
  return mine;
}
