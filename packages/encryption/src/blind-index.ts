import {
  MemoryValidationError,
  UnsupportedFilterError,
  type FilterCapability,
  type FilterOperator,
  type JsonPrimitive,
  type JsonValue,
  type MemoryFilter,
  type Metadata,
} from '@fastagentic/memory';
import { CATEGORIES_FIELD, categoriesFromMetadata, MEMORY_LIMITS, type FilterNode } from '@fastagentic/memory/provider';
import type { KeyRing } from './key-ring.js';
import { STORED_FIELDS } from './stored-fields.js';

/** What a blind index can answer: equality and membership, combined freely. */
const INDEXED_OPERATORS = ['eq', 'ne', 'in', 'nin'] as const;
const LOGICAL = ['and', 'or', 'not'] as const;

function isPrimitive(value: unknown): value is JsonPrimitive {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/**
 * The HMAC input of one value. The user id and the field are part of it, so equal values of
 * different users or fields give unrelated tokens; JSON keeps `1`, `"1"` and `true` apart.
 */
function indexInput(userId: string, field: string, value: JsonPrimitive): string {
  return JSON.stringify([userId, field, value]);
}

export function indexFieldName(field: string): string {
  return `${STORED_FIELDS.index}${field}`;
}

/**
 * Blind-index fields for a new record, mirroring each value's shape so the backend's own
 * filter semantics apply unchanged: a primitive becomes one token, an array becomes the
 * tokens of its primitive items (equality on an array means "contains"), an object or a
 * missing field gets no index (it can never equal a primitive).
 */
export async function buildIndexFields(
  ring: KeyRing,
  userId: string,
  metadata: Metadata,
  filterableFields: readonly string[],
): Promise<Metadata> {
  const fields: Metadata = {};
  for (const field of filterableFields) {
    const value: JsonValue | undefined =
      field === CATEGORIES_FIELD ? categoriesFromMetadata(metadata) : Object.hasOwn(metadata, field) ? metadata[field] : undefined;
    if (isPrimitive(value)) {
      fields[indexFieldName(field)] = (await ring.indexTokens(indexInput(userId, field, value)))[0]!;
    } else if (Array.isArray(value)) {
      const items = [...new Set(value.filter(isPrimitive))];
      if (items.length === 0) continue;
      fields[indexFieldName(field)] = await Promise.all(
        items.map(async (item) => (await ring.indexTokens(indexInput(userId, field, item)))[0]!),
      );
    }
  }
  return fields;
}

/** The backend operator each filter operator becomes: with several keys, one value has several tokens. */
function backendOperator(operator: (typeof INDEXED_OPERATORS)[number], keyCount: number): FilterOperator {
  if (keyCount === 1) return operator;
  if (operator === 'eq') return 'in';
  if (operator === 'ne') return 'nin';
  return operator;
}

/**
 * What the wrapper can honour over `backend`: eq/ne/in/nin (on declared fields only) and the
 * logical operators, each only where the backend has the operator its rewrite needs.
 */
export function indexedFilterCapabilities(
  backend: readonly FilterCapability[],
  keyCount: number,
  filterableFields: readonly string[],
): FilterCapability[] {
  if (filterableFields.length === 0) return [];
  const comparisons = INDEXED_OPERATORS.filter((operator) => backend.includes(backendOperator(operator, keyCount)));
  if (comparisons.length === 0) return [];
  return [...comparisons, ...LOGICAL.filter((operator) => backend.includes(operator))];
}

/**
 * Rewrites a parsed filter onto the blind-index fields. Call after `assertFilterSupported`:
 * the operators are known to be indexable here, the fields are checked here.
 */
export async function toIndexFilter(
  ring: KeyRing,
  userId: string,
  node: FilterNode,
  filterableFields: readonly string[],
  provider: string,
): Promise<MemoryFilter> {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const children = await Promise.all(
        node.children.map((child) => toIndexFilter(ring, userId, child, filterableFields, provider)),
      );
      return node.kind === 'and' ? { AND: children } : { OR: children };
    }
    case 'not':
      return { NOT: await toIndexFilter(ring, userId, node.child, filterableFields, provider) };
    case 'condition': {
      const { field, operator } = node;
      if (!filterableFields.includes(field)) {
        throw new UnsupportedFilterError(provider, operator, field, {
          reason: 'the field is encrypted; list it in filterableFields to filter it by equality (eq, ne, in, nin)',
        });
      }
      const values = (operator === 'in' || operator === 'nin' ? node.value : [node.value]) as JsonPrimitive[];
      // Each value is searched under every key, and the backend's list bound applies to the tokens.
      const maxValues = Math.floor(MEMORY_LIMITS.maxFilterListLength / ring.keyIds.length);
      if (values.length > maxValues) {
        throw new MemoryValidationError(
          `options.filters.${field}.${operator}`,
          `more than ${maxValues} values while ${ring.keyIds.length} keys are configured (each value is searched under every key)`,
        );
      }
      const tokens = (await Promise.all(values.map((value) => ring.indexTokens(indexInput(userId, field, value))))).flat();
      const target = backendOperator(operator as (typeof INDEXED_OPERATORS)[number], ring.keyIds.length);
      const operand = target === 'in' || target === 'nin' ? tokens : tokens[0]!;
      return { [indexFieldName(field)]: { [target]: operand } };
    }
  }
}
