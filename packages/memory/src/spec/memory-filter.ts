import { MemoryValidationError, UnsupportedFilterError } from './memory-error.js';
import { MEMORY_LIMITS } from './memory-limits.js';
import type { JsonPrimitive, JsonValue, Memory } from './schemas.js';

export const FILTER_OPERATORS = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];
export type LogicalOperator = 'and' | 'or' | 'not';
/** What a provider may declare it honours: every comparison operator and every logical one. */
export type FilterCapability = FilterOperator | LogicalOperator;
export const ALL_FILTER_CAPABILITIES: readonly FilterCapability[] = [...FILTER_OPERATORS, 'and', 'or', 'not'];

/** The field that addresses `Memory.categories` rather than a metadata key. */
export const CATEGORIES_FIELD = 'categories';

export type RangeValue = number | string;

export interface FieldOperators {
  eq?: JsonPrimitive;
  ne?: JsonPrimitive;
  in?: JsonPrimitive[];
  nin?: JsonPrimitive[];
  gt?: RangeValue;
  gte?: RangeValue;
  lt?: RangeValue;
  lte?: RangeValue;
  contains?: JsonPrimitive;
}

/** A bare value is shorthand for equality: `{ category: 'preferences' }`. */
export type FieldCondition = JsonPrimitive | FieldOperators;

/**
 * One filter language for every provider. Keys are metadata fields (or `categories`); several
 * keys, or several operators on one key, must all hold. `AND`, `OR` and `NOT` combine filters.
 */
export interface MemoryFilter {
  AND?: MemoryFilter[];
  OR?: MemoryFilter[];
  NOT?: MemoryFilter;
  [field: string]: FieldCondition | MemoryFilter | MemoryFilter[] | undefined;
}

export type FilterNode =
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  | { kind: 'condition'; field: string; operator: FilterOperator; value: JsonValue };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPrimitive(value: unknown): value is JsonPrimitive {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function parseOperand(operator: FilterOperator, value: unknown, path: string): JsonValue {
  switch (operator) {
    case 'in':
    case 'nin':
      if (!Array.isArray(value)) {
        throw new MemoryValidationError(path, `"${operator}" takes an array of strings, numbers, booleans or null`);
      }
      if (value.length > MEMORY_LIMITS.maxFilterListLength) {
        throw new MemoryValidationError(path, `more than ${MEMORY_LIMITS.maxFilterListLength} values`);
      }
      if (!value.every(isPrimitive)) {
        throw new MemoryValidationError(path, `"${operator}" takes an array of strings, numbers, booleans or null`);
      }
      return value;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
        throw new MemoryValidationError(path, `"${operator}" takes a finite number or a string`);
      }
      return value;
    default:
      if (!isPrimitive(value)) {
        throw new MemoryValidationError(path, `"${operator}" takes a string, finite number, boolean or null`);
      }
      return value;
  }
}

/**
 * Counts a filter's clauses as they are parsed, so a filter over the limit is refused after at
 * most that many clauses were looked at.
 */
class ClauseCounter {
  private count = 0;

  constructor(private readonly filterPath: string) {}

  add(): void {
    if (++this.count > MEMORY_LIMITS.maxFilterClauses) {
      throw new MemoryValidationError(
        this.filterPath,
        `more than ${MEMORY_LIMITS.maxFilterClauses} clauses (conditions, AND, OR and NOT together)`,
      );
    }
  }
}

function parseCondition(field: string, condition: unknown, path: string, clauses: ClauseCounter): FilterNode {
  if (isPrimitive(condition)) {
    clauses.add();
    return { kind: 'condition', field, operator: 'eq', value: condition };
  }
  if (!isPlainObject(condition)) {
    throw new MemoryValidationError(
      path,
      'expected a value (equality) or an object of operators such as { in: [...] }',
    );
  }
  const entries = Object.entries(condition).filter(([, value]) => value !== undefined);
  if (entries.length === 0) throw new MemoryValidationError(path, 'an operator object needs at least one operator');
  const children = entries.map(([operator, value]): FilterNode => {
    if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
      throw new MemoryValidationError(
        `${path}.${operator}`,
        `unknown filter operator; use one of ${FILTER_OPERATORS.join(', ')}`,
      );
    }
    const op = operator as FilterOperator;
    clauses.add();
    return { kind: 'condition', field, operator: op, value: parseOperand(op, value, `${path}.${operator}`) };
  });
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

/** Spellings of the logical operators from other query languages: refused, not taken for field names. */
const MISSPELLED_LOGICAL = /^\$?(and|or|not)$/i;

function parseFilterObject(filter: unknown, path: string, clauses: ClauseCounter, depth = 1): FilterNode {
  if (!isPlainObject(filter)) throw new MemoryValidationError(path, 'a filter must be a plain object');
  if (depth > MEMORY_LIMITS.maxNestingDepth) {
    throw new MemoryValidationError(path, `AND/OR/NOT nested deeper than ${MEMORY_LIMITS.maxNestingDepth} levels`);
  }
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const keyPath = `${path}.${key}`;
    if (key === 'AND' || key === 'OR') {
      if (!Array.isArray(value) || value.length === 0) {
        throw new MemoryValidationError(keyPath, `${key} takes a non-empty array of filters`);
      }
      if (value.length > MEMORY_LIMITS.maxFilterClauses) {
        throw new MemoryValidationError(keyPath, `more than ${MEMORY_LIMITS.maxFilterClauses} filters`);
      }
      clauses.add();
      const parsed = value.map((item, index) => parseFilterObject(item, `${keyPath}.${index}`, clauses, depth + 1));
      children.push({ kind: key === 'AND' ? 'and' : 'or', children: parsed });
    } else if (key === 'NOT') {
      clauses.add();
      children.push({ kind: 'not', child: parseFilterObject(value, keyPath, clauses, depth + 1) });
    } else if (MISSPELLED_LOGICAL.test(key)) {
      throw new MemoryValidationError(keyPath, `not a filter operator: write ${key.replace('$', '').toUpperCase()} (AND, OR, NOT)`);
    } else {
      if (key.length === 0) throw new MemoryValidationError(keyPath, 'a filter field name cannot be empty');
      children.push(parseCondition(key, value, keyPath, clauses));
    }
  }
  if (children.length === 0) throw new MemoryValidationError(path, 'a filter needs at least one condition');
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

/**
 * Validates a filter and turns it into a tree that providers translate or evaluate.
 * Returns undefined when there is no filter. `path` names the argument in errors. The filter's
 * size is bounded (MEMORY_LIMITS: clauses, `in`/`nin` values, nesting), so every request costs a
 * store a bounded amount of filtering work per candidate.
 */
export function parseMemoryFilter(filter: unknown, path = 'filters'): FilterNode | undefined {
  if (filter === undefined || filter === null) return undefined;
  return parseFilterObject(filter, path, new ClauseCounter(path));
}

/**
 * The string a filter requires `field` to equal (`eq`), as the filter itself or as one child of an
 * AND; undefined for any other filter. For stores that keep an index of that field (a session's
 * memories by `sessionId`): the rows it finds still go through the whole filter, since `eq` also
 * matches arrays that contain the value.
 */
export function requiredEquality(node: FilterNode, field: string): string | undefined {
  const required = (child: FilterNode) =>
    child.kind === 'condition' && child.field === field && child.operator === 'eq' && typeof child.value === 'string'
      ? child.value
      : undefined;
  if (node.kind !== 'and') return required(node);
  for (const child of node.children) {
    const value = required(child);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Throws UnsupportedFilterError for the first operator the provider does not declare. */
export function assertFilterSupported(
  node: FilterNode | undefined,
  provider: string,
  supported: readonly FilterCapability[],
): void {
  if (node === undefined) return;
  switch (node.kind) {
    case 'and':
    case 'or':
      if (!supported.includes(node.kind)) throw new UnsupportedFilterError(provider, node.kind.toUpperCase());
      for (const child of node.children) assertFilterSupported(child, provider, supported);
      return;
    case 'not':
      if (!supported.includes('not')) throw new UnsupportedFilterError(provider, 'NOT');
      assertFilterSupported(node.child, provider, supported);
      return;
    case 'condition':
      if (!supported.includes(node.operator)) throw new UnsupportedFilterError(provider, node.operator, node.field);
  }
}

function fieldValue(memory: Memory, field: string): JsonValue | undefined {
  if (field === CATEGORIES_FIELD) return memory.categories ?? [];
  return Object.hasOwn(memory.metadata, field) ? memory.metadata[field] : undefined;
}

function compare(actual: JsonValue | undefined, operator: 'gt' | 'gte' | 'lt' | 'lte', expected: RangeValue): boolean {
  if (typeof actual !== typeof expected || (typeof actual !== 'number' && typeof actual !== 'string')) return false;
  const a = actual as RangeValue;
  switch (operator) {
    case 'gt':
      return a > expected;
    case 'gte':
      return a >= expected;
    case 'lt':
      return a < expected;
    case 'lte':
      return a <= expected;
  }
}

function conditionHolds(actual: JsonValue | undefined, operator: FilterOperator, value: JsonValue): boolean {
  switch (operator) {
    case 'eq':
      return Array.isArray(actual) ? actual.includes(value) : actual === value;
    case 'ne':
      return !conditionHolds(actual, 'eq', value);
    case 'in':
      return (value as JsonPrimitive[]).some((candidate) => conditionHolds(actual, 'eq', candidate));
    case 'nin':
      return !conditionHolds(actual, 'in', value);
    case 'contains':
      if (typeof actual === 'string') return typeof value === 'string' && actual.includes(value);
      return Array.isArray(actual) && actual.includes(value);
    default:
      if (Array.isArray(actual)) return actual.some((item) => compare(item, operator, value as RangeValue));
      return compare(actual, operator, value as RangeValue);
  }
}

/**
 * Evaluates a parsed filter against one memory. Semantics every provider must match:
 * equality against an array field means "contains"; `ne` and `nin` hold when the field is
 * missing; range operators compare numbers with numbers and strings with strings only.
 */
export function matchesFilter(memory: Memory, node: FilterNode | undefined): boolean {
  if (node === undefined) return true;
  switch (node.kind) {
    case 'and':
      return node.children.every((child) => matchesFilter(memory, child));
    case 'or':
      return node.children.some((child) => matchesFilter(memory, child));
    case 'not':
      return !matchesFilter(memory, node.child);
    case 'condition':
      return conditionHolds(fieldValue(memory, node.field), node.operator, node.value);
  }
}
