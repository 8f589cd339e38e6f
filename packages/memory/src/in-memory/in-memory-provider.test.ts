import { describe, expect, it } from 'vitest';
import { InMemoryProvider } from './in-memory-provider.js';
import { MemoryConfigurationError, MemoryValidationError } from '../spec/memory-error.js';

describe('InMemoryProvider', () => {
  it('returns copies: changing a result never changes what is stored', async () => {
    const provider = new InMemoryProvider();
    const id = await provider.add('u', [{ role: 'user', content: 'Likes tea' }], {
      category: 'preferences',
      nested: { list: [1, { deep: 'x' }] },
    });
    const first = (await provider.get('u', id))!;
    first.memory = 'changed';
    (first.metadata.nested as { list: unknown[] }).list.push('extra');
    first.categories!.push('injected');
    const [found] = await provider.search('u', 'tea');
    (found!.metadata as Record<string, unknown>).category = 'changed';
    expect(await provider.get('u', id)).toMatchObject({
      memory: 'Likes tea',
      metadata: { category: 'preferences', nested: { list: [1, { deep: 'x' }] } },
      categories: ['preferences'],
    });
  });

  it('rejects a cursor it did not issue and a bad TTL', async () => {
    const provider = new InMemoryProvider();
    await expect(provider.getAll('u', { cursor: 'not-a-cursor' })).rejects.toSatisfy(
      (error: unknown) => MemoryValidationError.isInstance(error) && error.field === 'options.cursor',
    );
    expect(() => new InMemoryProvider({ ttlSeconds: 0 })).toThrow(MemoryConfigurationError);
  });

  it('keeps paging stable while memories are added and deleted between pages', async () => {
    const provider = new InMemoryProvider();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await provider.add('u', [{ role: 'user', content: `fact ${i}` }]));
    const first = await provider.getAll('u', { limit: 2 });
    expect(first.memories.map((memory) => memory.id)).toEqual([ids[5], ids[4]]);
    await provider.add('u', [{ role: 'user', content: 'newer than the cursor' }]);
    await provider.delete('u', ids[3]!);
    const second = await provider.getAll('u', { limit: 2, cursor: first.nextCursor! });
    expect(second.memories.map((memory) => memory.id)).toEqual([ids[2], ids[1]]);
    const third = await provider.getAll('u', { limit: 2, cursor: second.nextCursor! });
    expect(third).toEqual({ memories: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
  });

  it('stores an add repeated with the same idempotency key once, per user', async () => {
    const provider = new InMemoryProvider();
    const first = await provider.add('u', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    const again = await provider.add('u', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    const other = await provider.add('v', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect((await provider.getAll('u')).memories).toHaveLength(1);
    await provider.delete('u', first);
    const afterDelete = await provider.add('u', [{ role: 'user', content: 'pin is 1234' }], undefined, { idempotencyKey: 'k1' });
    expect(afterDelete).not.toBe(first);
    await expect(provider.add('u', [{ role: 'user', content: 'x' }], undefined, { idempotencyKey: '' })).rejects.toThrow(
      /options\.idempotencyKey/,
    );
  });
});
