import { describe, expect, it } from 'vitest';
import { MemoryValidationError } from './memory-error.js';
import { MEMORY_LIMITS } from './memory-limits.js';
import { parseAddOptions, parseSearchOptions, validateMetadata } from './validate-input.js';

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
