import type { FilterCapability, JsonValue } from '@fastagentic/memory';
import { CATEGORIES_FIELD, type FilterNode } from '@fastagentic/memory/provider';

/**
 * Filter operators the Mem0 platform adapter honours with the core's semantics. Mem0 filters
 * metadata with equality, `ne` and `contains`; range operators on metadata are not offered by
 * Mem0, so they throw UnsupportedFilterError before any request.
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

/** Mem0's equality compares a whole value; the core's also means "contains" on an array field. */
function equalsOrHas(field: string, value: JsonValue): Mem0Filter {
  if (field === CATEGORIES_FIELD) return categoryMatches(value);
  return { OR: [{ metadata: { [field]: value } }, { metadata: { [field]: { contains: value } } }] };
}

/**
 * A Mem0 filter that selects at least every memory the core's filter matches, or undefined when
 * Mem0 cannot narrow it. What Mem0 returns is then checked with the core's `matchesFilter`, so
 * the result has the core's exact semantics (equality on arrays, numbers never equal strings).
 * Negations are left to that check: the negation of a wider Mem0 filter would be narrower than
 * the core's and could drop a memory that matches (`ne`/`nin` hold when the field is missing).
 */
function widen(node: FilterNode): Mem0Filter | undefined {
  switch (node.kind) {
    case 'and': {
      const children = node.children.map(widen).filter((child): child is Mem0Filter => child !== undefined);
      return children.length === 0 ? undefined : children.length === 1 ? children[0] : { AND: children };
    }
    case 'or': {
      const children = node.children.map(widen);
      return children.some((child) => child === undefined) ? undefined : { OR: children };
    }
    case 'not':
      return undefined;
    case 'condition':
      switch (node.operator) {
        case 'eq':
          return equalsOrHas(node.field, node.value);
        case 'in':
          return { OR: (node.value as JsonValue[]).map((value) => equalsOrHas(node.field, value)) };
        case 'contains':
          return node.field === CATEGORIES_FIELD
            ? categoryMatches(node.value)
            : { metadata: { [node.field]: { contains: node.value } } };
        default:
          // ne, nin: checked on what comes back. Range operators never get here (assertFilterSupported).
          return undefined;
      }
  }
}

/**
 * Mem0 platform `filters` for one user: the user's entity id AND, when Mem0 can narrow it, a
 * superset of the caller's filter (already checked with assertFilterSupported). The caller's
 * filter must still be applied to the results with `matchesFilter`.
 */
export function toMem0Filter(mem0UserId: string, node: FilterNode | undefined): Mem0Filter {
  const narrowed = node === undefined ? undefined : widen(node);
  return narrowed === undefined ? { AND: [{ user_id: mem0UserId }] } : { AND: [{ user_id: mem0UserId }, narrowed] };
}
