import { describe, expect, it } from 'vitest';
import { MemoryValidationError } from './memory-error.js';
import { MEMORY_LIMITS } from './memory-limits.js';
import {
  parseAddOptions,
  parseGetAllOptions,
  parseSearchOptions,
  validateMemoryId,
  validateMetadata,
  validateUserId,
} from './validate-input.js';

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
}

describe('validateMetadata nesting', () => {
  it('accepts metadata nested up to the limit and refuses deeper, naming the path', () => {
    expect(() => validateMetadata(nested(MEMORY_LIMITS.maxNestingDepth))).not.toThrow();
    const deep = () => validateMetadata(nested(2000));
    expect(deep).toThrow(MemoryValidationError);
    expect(deep).toThrow(/^Invalid metadata\.a\.a/);
  });
});

describe('supplied terms', () => {
  it('keeps repeats of indexTerms and makes queryTerms distinct', () => {
    expect(parseAddOptions({ indexTerms: ['a', 'b', 'a'] }).indexTerms).toEqual(['a', 'b', 'a']);
    expect(parseSearchOptions({ queryTerms: ['a', 'b', 'a'] }).queryTerms).toEqual(['a', 'b']);
    expect(parseAddOptions({}).indexTerms).toBeUndefined();
    expect(parseSearchOptions({}).queryTerms).toBeUndefined();
  });

  it('refuses anything but bounded arrays of non-empty strings, naming the option', () => {
    const refusals: [() => unknown, string][] = [
      [() => parseAddOptions({ indexTerms: 'a' as never }), 'options.indexTerms'],
      [() => parseAddOptions({ indexTerms: ['a', ''] }), 'options.indexTerms[1]'],
      [() => parseAddOptions({ indexTerms: [1 as never] }), 'options.indexTerms[0]'],
      [() => parseAddOptions({ indexTerms: ['a\u0000b'] }), 'options.indexTerms[0]'],
      [() => parseAddOptions({ indexTerms: ['x'.repeat(MEMORY_LIMITS.maxSuppliedTermLength + 1)] }), 'options.indexTerms[0]'],
      [() => parseAddOptions({ indexTerms: new Array<string>(MEMORY_LIMITS.maxSuppliedTerms + 1).fill('a') }), 'options.indexTerms'],
      [() => parseSearchOptions({ queryTerms: [null as never] }), 'options.queryTerms[0]'],
    ];
    for (const [call, field] of refusals) {
      let thrown: unknown;
      try {
        call();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(MemoryValidationError);
      expect((thrown as MemoryValidationError).field).toBe(field);
    }
  });
});

function fieldOfError(call: () => unknown): string | undefined {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(MemoryValidationError);
    return (error as MemoryValidationError).field;
  }
  return undefined;
}

describe('ids are well-formed Unicode', () => {
  it('refuses a user id, memory id or idempotency key with an unpaired surrogate, naming the field', () => {
    for (const bad of ['eve\uD800', 'eve\uDFFF', '\uDC00eve', 'e\uDBFFve', 'eve\uDE00\uD83D']) {
      expect(fieldOfError(() => validateUserId(bad))).toBe('userId');
      expect(fieldOfError(() => validateMemoryId(bad))).toBe('memoryId');
      expect(fieldOfError(() => parseAddOptions({ idempotencyKey: bad }))).toBe('options.idempotencyKey');
    }
  });

  it('accepts U+FFFD and surrogate pairs, which are well-formed', () => {
    for (const good of ['eve\uFFFD', 'eve😀', '\uD83D\uDE00', 'ユーザー']) {
      expect(validateUserId(good)).toBe(good);
      expect(validateMemoryId(good)).toBe(good);
      expect(parseAddOptions({ idempotencyKey: good }).idempotencyKey).toBe(good);
    }
  });
});

describe('the cost of one request is bounded', () => {
  it('search asks for at most maxSearchLimit results, a getAll page for at most maxLimit', () => {
    expect(parseSearchOptions({ limit: MEMORY_LIMITS.maxSearchLimit }).limit).toBe(MEMORY_LIMITS.maxSearchLimit);
    expect(fieldOfError(() => parseSearchOptions({ limit: MEMORY_LIMITS.maxSearchLimit + 1 }))).toBe('options.limit');
    expect(parseGetAllOptions({ limit: MEMORY_LIMITS.maxLimit }).limit).toBe(MEMORY_LIMITS.maxLimit);
    expect(fieldOfError(() => parseGetAllOptions({ limit: MEMORY_LIMITS.maxLimit + 1 }))).toBe('options.limit');
  });

  it('refuses in and nin lists longer than maxFilterListLength, naming the list', () => {
    const values = (count: number) => Array.from({ length: count }, (_, index) => `tag-${index}`);
    expect(parseSearchOptions({ filters: { tags: { in: values(MEMORY_LIMITS.maxFilterListLength) } } }).filter).toBeDefined();
    expect(fieldOfError(() => parseSearchOptions({ filters: { tags: { in: values(60_000) } } }))).toBe('options.filters.tags.in');
    expect(fieldOfError(() => parseGetAllOptions({ filters: { AND: [{ tags: { nin: values(101) } }] } }))).toBe(
      'options.filters.AND.0.tags.nin',
    );
  });

  it('refuses filters of more than maxFilterClauses clauses, naming the list or the filter', () => {
    const clauses = (count: number) => Array.from({ length: count }, (_, index) => ({ n: index }));
    // An OR of 63 conditions is 64 clauses.
    expect(parseSearchOptions({ filters: { OR: clauses(MEMORY_LIMITS.maxFilterClauses - 1) } }).filter).toBeDefined();
    expect(fieldOfError(() => parseSearchOptions({ filters: { OR: clauses(MEMORY_LIMITS.maxFilterClauses) } }))).toBe(
      'options.filters',
    );
    expect(fieldOfError(() => parseSearchOptions({ filters: { OR: clauses(20_000) } }))).toBe('options.filters.OR');
    // Spread over several lists and keys, the clauses still add up.
    const wide = { AND: [{ OR: clauses(40) }, { OR: clauses(40) }] };
    expect(fieldOfError(() => parseGetAllOptions({ filters: wide }))).toBe('options.filters');
    const keys = Object.fromEntries(clauses(MEMORY_LIMITS.maxFilterClauses + 1).map((_, index) => [`k${index}`, index]));
    expect(fieldOfError(() => parseGetAllOptions({ filters: keys }))).toBe('options.filters');
    const operators = { a: { gt: 1, lt: 9, ne: 5 } };
    expect(parseGetAllOptions({ filters: operators }).filter).toMatchObject({ kind: 'and' });
  });
});
