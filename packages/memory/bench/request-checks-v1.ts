import { MemoryValidationError, type FilterOperator, type JsonValue, type Memory } from '../src/index.js';
import { FILTER_OPERATORS, type FilterNode } from '../src/provider.js';

/**
 * The request checks and memory formatting the core shipped before well-formed ids, filter size
 * bounds and the framed memory block, kept here only as the benchmark's baseline (as
 * `terms-v1.ts` is for relevance): the same code, minus what was added.
 */

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPrimitive(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

export function validateUserIdV1(value: unknown, field = 'userId'): string {
  if (typeof value !== 'string') throw new MemoryValidationError(field, 'expected a string');
  if (value.trim().length === 0) throw new MemoryValidationError(field, 'must not be empty');
  if (value.length > 1024) throw new MemoryValidationError(field, 'longer than 1024 characters');
  return value;
}

function parseOperand(operator: FilterOperator, value: unknown, path: string): JsonValue {
  switch (operator) {
    case 'in':
    case 'nin':
      if (!Array.isArray(value) || !value.every(isPrimitive)) throw new MemoryValidationError(path, 'takes an array');
      return value;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (!(typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value)))) {
        throw new MemoryValidationError(path, 'takes a finite number or a string');
      }
      return value;
    default:
      if (!isPrimitive(value)) throw new MemoryValidationError(path, 'takes a primitive');
      return value as JsonValue;
  }
}

function parseCondition(field: string, condition: unknown, path: string): FilterNode {
  if (isPrimitive(condition)) return { kind: 'condition', field, operator: 'eq', value: condition as JsonValue };
  if (!isPlainObject(condition)) throw new MemoryValidationError(path, 'expected a value or an object of operators');
  const entries = Object.entries(condition).filter(([, value]) => value !== undefined);
  if (entries.length === 0) throw new MemoryValidationError(path, 'needs at least one operator');
  const children = entries.map(([operator, value]): FilterNode => {
    if (!(FILTER_OPERATORS as readonly string[]).includes(operator)) {
      throw new MemoryValidationError(`${path}.${operator}`, 'unknown filter operator');
    }
    const op = operator as FilterOperator;
    return { kind: 'condition', field, operator: op, value: parseOperand(op, value, `${path}.${operator}`) };
  });
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

const MISSPELLED_LOGICAL = /^\$?(and|or|not)$/i;

function parseFilterObject(filter: unknown, path: string, depth = 1): FilterNode {
  if (!isPlainObject(filter)) throw new MemoryValidationError(path, 'a filter must be a plain object');
  if (depth > 32) throw new MemoryValidationError(path, 'nested too deep');
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const keyPath = `${path}.${key}`;
    if (key === 'AND' || key === 'OR') {
      if (!Array.isArray(value) || value.length === 0) throw new MemoryValidationError(keyPath, 'takes a non-empty array');
      const parsed = value.map((item, index) => parseFilterObject(item, `${keyPath}.${index}`, depth + 1));
      children.push({ kind: key === 'AND' ? 'and' : 'or', children: parsed });
    } else if (key === 'NOT') {
      children.push({ kind: 'not', child: parseFilterObject(value, keyPath, depth + 1) });
    } else if (MISSPELLED_LOGICAL.test(key)) {
      throw new MemoryValidationError(keyPath, 'not a filter operator');
    } else {
      if (key.length === 0) throw new MemoryValidationError(keyPath, 'a filter field name cannot be empty');
      children.push(parseCondition(key, value, keyPath));
    }
  }
  if (children.length === 0) throw new MemoryValidationError(path, 'a filter needs at least one condition');
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

export function parseMemoryFilterV1(filter: unknown, path = 'filters'): FilterNode | undefined {
  if (filter === undefined || filter === null) return undefined;
  return parseFilterObject(filter, path);
}

/** The old search and getAll limit check: 1 to 1,000 for both. */
function validateLimit(limit: unknown, field: string, fallback: number): number {
  if (limit === undefined) return fallback;
  if (typeof limit !== 'number' || !Number.isInteger(limit)) throw new MemoryValidationError(field, 'must be an integer');
  if (limit <= 0 || limit > 1000) throw new MemoryValidationError(field, 'must be between 1 and 1000');
  return limit;
}

function optionsObject(options: unknown): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) throw new MemoryValidationError('options', 'expected an options object');
  return options;
}

function signalOf(signal: unknown): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean') {
    throw new MemoryValidationError('options.signal', 'expected an AbortSignal');
  }
  return signal as AbortSignal;
}

/** The old parseSearchOptions, for options without supplied terms. */
export function parseSearchOptionsV1(options: unknown) {
  const raw = optionsObject(options);
  const minRelevance = raw.minRelevance ?? 0;
  if (typeof minRelevance !== 'number' || !(minRelevance >= 0 && minRelevance <= 1)) {
    throw new MemoryValidationError('options.minRelevance', 'must be a number between 0 and 1');
  }
  return {
    limit: validateLimit(raw.limit, 'options.limit', 10),
    filter: parseMemoryFilterV1(raw.filters, 'options.filters'),
    minRelevance,
    signal: signalOf(raw.signal),
  };
}

/** The old parseGetAllOptions. */
export function parseGetAllOptionsV1(options: unknown) {
  const raw = optionsObject(options);
  if (raw.cursor !== undefined && (typeof raw.cursor !== 'string' || raw.cursor.length === 0)) {
    throw new MemoryValidationError('options.cursor', 'must be the nextCursor string of a previous page');
  }
  return {
    limit: validateLimit(raw.limit, 'options.limit', 100),
    filter: parseMemoryFilterV1(raw.filters, 'options.filters'),
    cursor: raw.cursor as string | undefined,
    signal: signalOf(raw.signal),
  };
}

/** The old block: a bare bullet list, only `\n` indented, session turns pasted after it. */
export function memoryContextV1(memories: readonly Memory[], sessionMemories: readonly Memory[]): string {
  let block = '';
  if (memories.length > 0) {
    block = 'Relevant memories about the user:';
    for (const { memory } of memories) block += `\n- ${memory.includes('\n') ? memory.replaceAll('\n', '\n  ') : memory}`;
  }
  const session =
    sessionMemories.length === 0
      ? ''
      : `Earlier in this session:\n${sessionMemories.map((memory) => `- ${memory.memory.replaceAll('\n', '\n  ')}`).join('\n')}`;
  return [block, session].filter(Boolean).join('\n\n');
}
