import { CATEGORIES_FIELD, matchesFilter, type FilterNode } from '../spec/memory-filter.js';
import type { Memory } from '../spec/schemas.js';

/**
 * `matchesFilter` for one filter applied to many memories: each `in` / `nin` list becomes a Set,
 * so a condition costs one lookup per value however long its list is (JSON values compare alike
 * under `===` and a Set's SameValueZero). Every other condition is `matchesFilter`'s own.
 */
export function compileFilter(node: FilterNode): (memory: Memory) => boolean {
  switch (node.kind) {
    case 'and': {
      const children = node.children.map(compileFilter);
      return (memory) => children.every((child) => child(memory));
    }
    case 'or': {
      const children = node.children.map(compileFilter);
      return (memory) => children.some((child) => child(memory));
    }
    case 'not': {
      const child = compileFilter(node.child);
      return (memory) => !child(memory);
    }
    case 'condition': {
      if (node.operator !== 'in' && node.operator !== 'nin') return (memory) => matchesFilter(memory, node);
      const values = new Set(node.value as unknown[]);
      const holds = node.operator === 'in';
      const field = node.field;
      return (memory) => {
        const actual = fieldOf(memory, field);
        const found = Array.isArray(actual) ? actual.some((item) => values.has(item)) : actual !== undefined && values.has(actual);
        return found === holds;
      };
    }
  }
}

/** A field's value as matchesFilter reads it: categories default to [], metadata by own keys only. */
function fieldOf(memory: Memory, field: string): unknown {
  if (field === CATEGORIES_FIELD) return memory.categories ?? [];
  return Object.hasOwn(memory.metadata, field) ? memory.metadata[field] : undefined;
}
