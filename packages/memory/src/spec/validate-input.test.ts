import { describe, expect, it } from 'vitest';
import { MemoryValidationError } from './memory-error.js';
import { MEMORY_LIMITS } from './memory-limits.js';
import { validateMetadata } from './validate-input.js';

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
