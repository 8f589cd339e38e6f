import { describe, expect, it } from 'vitest';
import { extractUserId } from './extract-user-id.js';
import { MemoryValidationError } from './spec/memory-error.js';
import { forgetUser } from './forget-user.js';
import { InMemoryProvider } from './in-memory/in-memory-provider.js';

describe('extractUserId', () => {
  it('reads a dotted path, user.id by default', () => {
    expect(extractUserId({ user: { id: 'u-1' } })).toBe('u-1');
    expect(extractUserId({ claims: { sub: 42 } }, 'claims.sub')).toBe('42');
    expect(extractUserId({ sub: 'abc' }, 'sub')).toBe('abc');
  });

  it('names the missing or empty field in a validation error', () => {
    const cases: Array<[unknown, string | undefined, string]> = [
      [{}, undefined, 'user.id'],
      [{ user: null }, undefined, 'user.id'],
      [{ user: { id: '' } }, undefined, 'user.id'],
      [{ user: { id: { nested: true } } }, undefined, 'user.id'],
      [{ claims: {} }, 'claims.sub', 'claims.sub'],
      [{ user: { id: 'x' } }, 'user..id', 'userIdField'],
      // A claim decoded from JSON may hold a lone surrogate (`"eve\ud800"`): it is not a user id.
      [JSON.parse('{"sub":"eve\\ud800"}'), 'sub', 'sub'],
    ];
    for (const [source, path, field] of cases) {
      try {
        extractUserId(source, path);
        expect.unreachable();
      } catch (error) {
        expect(MemoryValidationError.isInstance(error)).toBe(true);
        expect((error as MemoryValidationError).field).toBe(field);
      }
    }
  });

  it('does not read inherited properties', () => {
    expect(() => extractUserId({}, 'constructor.name')).toThrow(MemoryValidationError);
  });
});

describe('forgetUser', () => {
  it('deletes every memory of one user in one call and leaves others alone', async () => {
    const provider = new InMemoryProvider();
    for (let i = 0; i < 5; i++) await provider.add('leaving', [{ role: 'user', content: `fact ${i}` }]);
    await provider.add('staying', [{ role: 'user', content: 'kept' }]);
    expect(await forgetUser(provider, 'leaving')).toBe(5);
    expect((await provider.getAll('leaving')).memories).toEqual([]);
    expect((await provider.getAll('staying')).memories).toHaveLength(1);
  });
});
