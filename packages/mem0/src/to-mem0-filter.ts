import type { FilterCapability, JsonValue } from '@fastagentic/memory';
import { CATEGORIES_FIELD, type FilterNode } from '@fastagentic/memory/provider';

/**
 * Filter operators the Mem0 platform honours with the core's semantics. Mem0 filters metadata
 * with equality, `ne` and `contains` only; `in`, `nin` and `ne` are built from equality with
 * `OR` and `NOT` so that, as in the core, `ne`/`nin` also hold when the field is missing.
 * Range operators on metadata are not offered by Mem0, so they throw UnsupportedFilterError.
 */
export const MEM0_PLATFORM_FILTERS: readonly FilterCapability[] = ['eq', 'ne', 'in', 'nin', 'contains', 'and', 'or', 'not'];

export type Mem0Filter = Record<string, unknown>;

function categoryMatches(category: JsonValue): Mem0Filter {
  // The core's `categories` are Mem0's own categories plus the spec's metadata.category/categories.
  return {
    OR: [
      { categories: { in: [category] } },
      { metadata: { category } },
      { metadata: { categories: { contains: category } } },
    ],
  };
}

function equals(field: string, value: JsonValue): Mem0Filter {
  return field === CATEGORIES_FIELD ? categoryMatches(value) : { metadata: { [field]: value } };
}

function anyOf(field: string, values: JsonValue[]): Mem0Filter {
  return { OR: values.map((value) => equals(field, value)) };
}

function translate(node: FilterNode): Mem0Filter {
  switch (node.kind) {
    case 'and':
      return { AND: node.children.map(translate) };
    case 'or':
      return { OR: node.children.map(translate) };
    case 'not':
      return { NOT: [translate(node.child)] };
    case 'condition':
      switch (node.operator) {
        case 'eq':
          return equals(node.field, node.value);
        case 'ne':
          return { NOT: [equals(node.field, node.value)] };
        case 'in':
          return anyOf(node.field, node.value as JsonValue[]);
        case 'nin':
          return { NOT: [anyOf(node.field, node.value as JsonValue[])] };
        case 'contains':
          return node.field === CATEGORIES_FIELD
            ? categoryMatches(node.value)
            : { metadata: { [node.field]: { contains: node.value } } };
        default:
          // assertFilterSupported runs first, so range operators never reach here.
          throw new Error(`unreachable: ${node.operator}`);
      }
  }
}

/**
 * Mem0 platform `filters` for one user: the user's entity id AND the caller's filter, already
 * checked with assertFilterSupported against MEM0_PLATFORM_FILTERS.
 */
export function toMem0Filter(mem0UserId: string, node: FilterNode | undefined): Mem0Filter {
  return node === undefined ? { AND: [{ user_id: mem0UserId }] } : { AND: [{ user_id: mem0UserId }, translate(node)] };
}
