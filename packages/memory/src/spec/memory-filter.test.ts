import { describe, expect, it } from 'vitest';
import { MemoryValidationError, UnsupportedFilterError } from './memory-error.js';
import { assertFilterSupported, matchesFilter, parseMemoryFilter, requiredEquality, type MemoryFilter } from './memory-filter.js';
import type { Memory } from './schemas.js';

const memory = (metadata: Memory['metadata'], categories?: string[]): Memory => ({
  id: 'm',
  userId: 'u',
  memory: 'text',
  metadata,
  ...(categories ? { categories } : {}),
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const matches = (filter: MemoryFilter, target: Memory) => matchesFilter(target, parseMemoryFilter(filter));

describe('parseMemoryFilter', () => {
  it('turns the shorthand into equality and several keys into AND', () => {
    expect(parseMemoryFilter({ category: 'preferences' })).toEqual({
      kind: 'condition',
      field: 'category',
      operator: 'eq',
      value: 'preferences',
    });
    expect(parseMemoryFilter({ a: 1, b: { gt: 2, lt: 5 } })).toEqual({
      kind: 'and',
      children: [
        { kind: 'condition', field: 'a', operator: 'eq', value: 1 },
        {
          kind: 'and',
          children: [
            { kind: 'condition', field: 'b', operator: 'gt', value: 2 },
            { kind: 'condition', field: 'b', operator: 'lt', value: 5 },
          ],
        },
      ],
    });
    expect(parseMemoryFilter(undefined)).toBeUndefined();
  });

  it('names the offending field in validation errors', () => {
    const cases: Array<[unknown, string]> = [
      [{ a: { between: 1 } }, 'filters.a.between'],
      [{ a: { in: 'x' } }, 'filters.a.in'],
      [{ a: { gt: true } }, 'filters.a.gt'],
      [{ a: { gt: Number.NaN } }, 'filters.a.gt'],
      [{ a: { eq: { nested: 1 } } }, 'filters.a.eq'],
      [{ a: [1, 2] }, 'filters.a'],
      [{ a: {} }, 'filters.a'],
      [{ OR: [] }, 'filters.OR'],
      [{ AND: [{ a: 1 }, { b: { nope: 1 } }] }, 'filters.AND.1.b.nope'],
      [{ NOT: 'x' }, 'filters.NOT'],
      [{}, 'filters'],
      ['category', 'filters'],
    ];
    for (const [filter, field] of cases) {
      try {
        parseMemoryFilter(filter);
        expect.unreachable(`accepted ${JSON.stringify(filter)}`);
      } catch (error) {
        expect(MemoryValidationError.isInstance(error)).toBe(true);
        expect((error as MemoryValidationError).field).toBe(field);
      }
    }
  });
});

describe('matchesFilter', () => {
  const tea = memory({ category: 'preferences', priority: 3, tags: ['drink', 'morning'], note: 'green tea' }, ['food']);

  it('compares with each operator', () => {
    expect(matches({ category: { eq: 'preferences' } }, tea)).toBe(true);
    expect(matches({ category: { ne: 'preferences' } }, tea)).toBe(false);
    expect(matches({ priority: { in: [1, 3] } }, tea)).toBe(true);
    expect(matches({ priority: { nin: [1, 3] } }, tea)).toBe(false);
    expect(matches({ priority: { gt: 3 } }, tea)).toBe(false);
    expect(matches({ priority: { gte: 3 } }, tea)).toBe(true);
    expect(matches({ priority: { lt: 4 } }, tea)).toBe(true);
    expect(matches({ priority: { lte: 2 } }, tea)).toBe(false);
    expect(matches({ note: { contains: 'green' } }, tea)).toBe(true);
    expect(matches({ tags: { contains: 'morning' } }, tea)).toBe(true);
    expect(matches({ tags: 'drink' }, tea)).toBe(true);
    expect(matches({ categories: { contains: 'food' } }, tea)).toBe(true);
  });

  it('treats missing fields and mismatched types predictably', () => {
    expect(matches({ missing: { ne: 'x' } }, tea)).toBe(true);
    expect(matches({ missing: { nin: ['x'] } }, tea)).toBe(true);
    expect(matches({ missing: 'x' }, tea)).toBe(false);
    expect(matches({ priority: { gt: '1' } }, tea)).toBe(false);
    expect(matches({ note: { gt: 1 } }, tea)).toBe(false);
    expect(matches({ priority: { contains: 3 } }, tea)).toBe(false);
  });

  it('combines with AND, OR and NOT', () => {
    expect(matches({ AND: [{ category: 'preferences' }, { priority: { gt: 1 } }] }, tea)).toBe(true);
    expect(matches({ OR: [{ category: 'profile' }, { priority: 3 }] }, tea)).toBe(true);
    expect(matches({ NOT: { category: 'preferences' } }, tea)).toBe(false);
    expect(matches({ category: 'preferences', NOT: { OR: [{ priority: 1 }, { priority: 2 }] } }, tea)).toBe(true);
  });
});

describe('assertFilterSupported', () => {
  it('throws UnsupportedFilterError for the first undeclared operator, nested too', () => {
    const node = parseMemoryFilter({ OR: [{ a: 1 }, { b: { gt: 2 } }] });
    expect(() => assertFilterSupported(node, 'p', ['eq', 'or', 'gt'])).not.toThrow();
    try {
      assertFilterSupported(node, 'p', ['eq', 'or']);
      expect.unreachable();
    } catch (error) {
      expect(UnsupportedFilterError.isInstance(error)).toBe(true);
      expect((error as UnsupportedFilterError).operator).toBe('gt');
      expect((error as UnsupportedFilterError).field).toBe('b');
    }
    expect(() => assertFilterSupported(node, 'p', ['eq', 'gt'])).toThrow(/OR/);
    expect(() => assertFilterSupported(undefined, 'p', [])).not.toThrow();
  });

  it('refuses filters nested deeper than the documented limit, naming where', () => {
    let filter: Record<string, unknown> = { category: 'x' };
    for (let i = 0; i < 4000; i++) filter = { NOT: filter };
    expect(() => parseMemoryFilter(filter)).toThrow(MemoryValidationError);
    let ok: Record<string, unknown> = { category: 'x' };
    for (let i = 0; i < 31; i++) ok = { NOT: ok };
    expect(parseMemoryFilter(ok)).toBeDefined();
  });

  it('refuses other spellings of the logical operators, naming the key', () => {
    for (const key of ['$and', 'And', 'and', '$OR', 'Not']) {
      const attempt = () => parseMemoryFilter({ [key]: [{ category: 'a' }] });
      expect(attempt).toThrow(MemoryValidationError);
      expect(attempt).toThrow(`filters.${key}`);
    }
  });
});

describe('requiredEquality', () => {
  const required = (filter: MemoryFilter) => requiredEquality(parseMemoryFilter(filter)!, 'sessionId');
  it('finds the string a filter or one child of its AND requires the field to equal', () => {
    expect(required({ sessionId: 's1' })).toBe('s1');
    expect(required({ sessionId: { eq: 's2' } })).toBe('s2');
    expect(required({ AND: [{ n: { gt: 1 } }, { sessionId: 's3' }] })).toBe('s3');
  });

  it('finds nothing where the field is not required to equal one string', () => {
    for (const filter of [
      { sessionId: 5 },
      { sessionId: { in: ['s'] } },
      { sessionId: { ne: 's' } },
      { OR: [{ sessionId: 's' }, { n: 1 }] },
      { NOT: { sessionId: 's' } },
      { AND: [{ OR: [{ sessionId: 's' }] }] },
      { other: 's' },
    ] as MemoryFilter[]) {
      expect(required(filter), JSON.stringify(filter)).toBeUndefined();
    }
  });
});

