import { type FilterNode, parseMemoryFilter } from './memory-filter.js';
import { MEMORY_LIMITS } from './memory-limits.js';
import { MemoryValidationError } from './memory-error.js';
import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_SEARCH_LIMIT,
  type AddOptions,
  type CallOptions,
  type GetAllOptions,
  type MemoryChanges,
  type SearchOptions,
  type UpdateOptions,
} from './memory-provider.js';
import { type JsonValue, type Message, type Metadata, messageRoleSchema } from './schemas.js';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function requireString(value: unknown, field: string, maxLength: number): string {
  if (typeof value !== 'string') throw new MemoryValidationError(field, `expected a string, got ${describe(value)}`);
  if (value.trim().length === 0) throw new MemoryValidationError(field, 'must not be empty');
  if (value.length > maxLength) throw new MemoryValidationError(field, `longer than ${maxLength} characters`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/** With the `u` flag a pair is one code point, so this matches only a surrogate without its partner. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * An id is compared as its UTF-8 bytes by most stores, and a lone surrogate has no UTF-8 form:
 * encoders turn it into U+FFFD, so `eve\uD800`, `eve\uDFFF` and `eve\uFFFD` would be one key.
 */
function requireId(value: unknown, field: string, maxLength: number): string {
  const id = requireString(value, field, maxLength);
  if (LONE_SURROGATE.test(id)) {
    throw new MemoryValidationError(field, 'must be well-formed Unicode (it contains an unpaired surrogate)');
  }
  return id;
}

export function validateUserId(userId: unknown, field = 'userId'): string {
  return requireId(userId, field, MEMORY_LIMITS.maxUserIdLength);
}

export function validateMemoryId(memoryId: unknown, field = 'memoryId'): string {
  return requireId(memoryId, field, MEMORY_LIMITS.maxMemoryIdLength);
}

export function validateQuery(query: unknown, field = 'query'): string {
  return requireString(query, field, MEMORY_LIMITS.maxQueryLength);
}

export function validateMessages(messages: unknown, field = 'messages'): Message[] {
  if (!Array.isArray(messages)) throw new MemoryValidationError(field, `expected an array of messages, got ${describe(messages)}`);
  if (messages.length === 0) throw new MemoryValidationError(field, 'needs at least one message');
  if (messages.length > MEMORY_LIMITS.maxMessages) {
    throw new MemoryValidationError(field, `more than ${MEMORY_LIMITS.maxMessages} messages`);
  }
  let total = 0;
  return messages.map((message, index): Message => {
    const path = `${field}.${index}`;
    if (!isPlainObject(message)) throw new MemoryValidationError(path, 'expected { role, content, name? }');
    const role = messageRoleSchema.safeParse(message.role);
    if (!role.success) {
      throw new MemoryValidationError(`${path}.role`, `expected one of ${messageRoleSchema.options.join(', ')}`);
    }
    const content = requireString(message.content, `${path}.content`, MEMORY_LIMITS.maxContentLength);
    total += content.length;
    if (total > MEMORY_LIMITS.maxContentLength) {
      throw new MemoryValidationError(
        `${path}.content`,
        `messages together exceed ${MEMORY_LIMITS.maxContentLength} characters`,
      );
    }
    if (message.name === undefined) return { role: role.data, content };
    return { role: role.data, content, name: requireString(message.name, `${path}.name`, 256) };
  });
}

function validateJsonValue(value: unknown, path: string, seen: Set<object>, depth: number): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MemoryValidationError(path, 'numbers must be finite (JSON has no NaN or Infinity)');
    return value;
  }
  if (typeof value === 'object') {
    if (seen.has(value)) throw new MemoryValidationError(path, 'circular reference');
    if (depth > MEMORY_LIMITS.maxNestingDepth) {
      throw new MemoryValidationError(path, `nested deeper than ${MEMORY_LIMITS.maxNestingDepth} levels`);
    }
    seen.add(value);
    try {
      if (Array.isArray(value)) return value.map((item, index) => validateJsonValue(item, `${path}.${index}`, seen, depth + 1));
      if (!isPlainObject(value)) {
        throw new MemoryValidationError(path, `${value.constructor?.name ?? 'object'} is not a JSON value`);
      }
      const out: Record<string, JsonValue> = {};
      for (const [key, item] of Object.entries(value)) out[key] = validateJsonValue(item, `${path}.${key}`, seen, depth + 1);
      return out;
    } finally {
      seen.delete(value);
    }
  }
  throw new MemoryValidationError(path, `${typeof value} is not a JSON value`);
}

/** Metadata must be a plain object of JSON values within the documented size. Undefined becomes `{}`. */
export function validateMetadata(metadata: unknown, field = 'metadata'): Metadata {
  if (metadata === undefined || metadata === null) return {};
  if (!isPlainObject(metadata)) throw new MemoryValidationError(field, `expected a plain object, got ${describe(metadata)}`);
  const out: Metadata = {};
  const seen = new Set<object>([metadata]);
  for (const [key, value] of Object.entries(metadata)) {
    if (key.length === 0) throw new MemoryValidationError(field, 'metadata keys must not be empty');
    if (value === undefined) throw new MemoryValidationError(`${field}.${key}`, 'undefined is not a JSON value');
    out[key] = validateJsonValue(value, `${field}.${key}`, seen, 2);
  }
  if (JSON.stringify(out).length > MEMORY_LIMITS.maxMetadataLength) {
    throw new MemoryValidationError(field, `larger than ${MEMORY_LIMITS.maxMetadataLength} characters as JSON`);
  }
  return out;
}

function validateLimit(limit: unknown, field: string, fallback: number, max: number): number {
  if (limit === undefined) return fallback;
  if (typeof limit !== 'number' || !Number.isInteger(limit)) throw new MemoryValidationError(field, 'must be an integer');
  if (limit <= 0 || limit > max) throw new MemoryValidationError(field, `must be between 1 and ${max}`);
  return limit;
}

function validateOptionsObject(options: unknown, field: string): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (!isPlainObject(options)) throw new MemoryValidationError(field, `expected an options object, got ${describe(options)}`);
  return options;
}

function validateSignal(signal: unknown, field: string): AbortSignal | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean') {
    throw new MemoryValidationError(field, 'expected an AbortSignal');
  }
  return signal as AbortSignal;
}

export interface ParsedCallOptions {
  signal: AbortSignal | undefined;
}

export function parseCallOptions(options: CallOptions | undefined, field = 'options'): ParsedCallOptions {
  const raw = validateOptionsObject(options, field);
  return { signal: validateSignal(raw.signal, `${field}.signal`) };
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** Supplied terms: an array of non-empty strings, bounded in count and length. */
function validateSuppliedTerms(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new MemoryValidationError(field, `expected an array of strings, got ${describe(value)}`);
  if (value.length > MEMORY_LIMITS.maxSuppliedTerms) {
    throw new MemoryValidationError(field, `more than ${MEMORY_LIMITS.maxSuppliedTerms} terms`);
  }
  for (let i = 0; i < value.length; i++) {
    const term: unknown = value[i];
    // No control characters, so stores may use them as separators in what they keep.
    if (
      typeof term !== 'string' ||
      term.length === 0 ||
      term.length > MEMORY_LIMITS.maxSuppliedTermLength ||
      CONTROL_CHARACTER.test(term)
    ) {
      throw new MemoryValidationError(
        `${field}[${i}]`,
        `must be a non-empty string of at most ${MEMORY_LIMITS.maxSuppliedTermLength} characters without control characters`,
      );
    }
  }
  return value as string[];
}

function distinct(values: string[] | undefined): string[] | undefined {
  return values === undefined ? undefined : [...new Set(values)];
}

export interface ParsedAddOptions extends ParsedCallOptions {
  idempotencyKey: string | undefined;
  /** The terms to index in place of `terms(text)`, repeats kept. */
  indexTerms: string[] | undefined;
  /** When the write was promised (ms since the epoch), for the forget fence. */
  promisedAt: number | undefined;
}

export function parseAddOptions(options: AddOptions | undefined, field = 'options'): ParsedAddOptions {
  const raw = validateOptionsObject(options, field);
  const key = raw.idempotencyKey;
  return {
    signal: validateSignal(raw.signal, `${field}.signal`),
    idempotencyKey:
      key === undefined ? undefined : requireId(key, `${field}.idempotencyKey`, MEMORY_LIMITS.maxIdempotencyKeyLength),
    indexTerms: validateSuppliedTerms(raw.indexTerms, `${field}.indexTerms`),
    promisedAt: validatePromisedAt(raw.promisedAt, `${field}.promisedAt`),
  };
}

function validatePromisedAt(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MemoryValidationError(field, 'must be a time in milliseconds since the epoch (a non-negative integer)');
  }
  return value;
}

export interface ParsedSearchOptions extends ParsedCallOptions {
  limit: number;
  filter: FilterNode | undefined;
  minRelevance: number;
  /** The distinct terms to query with in place of `terms(query)`. */
  queryTerms: string[] | undefined;
}

export function parseSearchOptions(options: SearchOptions | undefined, field = 'options'): ParsedSearchOptions {
  const raw = validateOptionsObject(options, field);
  const minRelevance = raw.minRelevance ?? 0;
  if (typeof minRelevance !== 'number' || !(minRelevance >= 0 && minRelevance <= 1)) {
    throw new MemoryValidationError(`${field}.minRelevance`, 'must be a number between 0 and 1');
  }
  return {
    limit: validateLimit(raw.limit, `${field}.limit`, DEFAULT_SEARCH_LIMIT, MEMORY_LIMITS.maxSearchLimit),
    filter: parseMemoryFilter(raw.filters, `${field}.filters`),
    minRelevance,
    signal: validateSignal(raw.signal, `${field}.signal`),
    queryTerms: distinct(validateSuppliedTerms(raw.queryTerms, `${field}.queryTerms`)),
  };
}

export interface ParsedGetAllOptions extends ParsedCallOptions {
  limit: number;
  filter: FilterNode | undefined;
  cursor: string | undefined;
}

export function parseGetAllOptions(options: GetAllOptions | undefined, field = 'options'): ParsedGetAllOptions {
  const raw = validateOptionsObject(options, field);
  if (raw.cursor !== undefined && (typeof raw.cursor !== 'string' || raw.cursor.length === 0)) {
    throw new MemoryValidationError(`${field}.cursor`, 'must be the nextCursor string of a previous page');
  }
  return {
    limit: validateLimit(raw.limit, `${field}.limit`, DEFAULT_PAGE_SIZE, MEMORY_LIMITS.maxLimit),
    filter: parseMemoryFilter(raw.filters, `${field}.filters`),
    cursor: raw.cursor as string | undefined,
    signal: validateSignal(raw.signal, `${field}.signal`),
  };
}

/** What `update` changes: at least one of `text` (checked like message content) and `metadata` (like `add`'s). */
export function parseMemoryChanges(changes: unknown, field = 'changes'): MemoryChanges {
  if (!isPlainObject(changes)) throw new MemoryValidationError(field, `expected { text?, metadata? }, got ${describe(changes)}`);
  for (const key of Object.keys(changes)) {
    if (key !== 'text' && key !== 'metadata') throw new MemoryValidationError(`${field}.${key}`, 'unknown field; expected text or metadata');
  }
  if (changes.text === undefined && changes.metadata === undefined) {
    throw new MemoryValidationError(field, 'needs text, metadata or both');
  }
  const out: MemoryChanges = {};
  if (changes.text !== undefined) out.text = requireString(changes.text, `${field}.text`, MEMORY_LIMITS.maxContentLength);
  if (changes.metadata !== undefined) out.metadata = validateMetadata(changes.metadata, `${field}.metadata`);
  return out;
}

export interface ParsedUpdateOptions extends ParsedCallOptions {
  reason: string | undefined;
  indexTerms: string[] | undefined;
}

export function parseUpdateOptions(options: UpdateOptions | undefined, field = 'options'): ParsedUpdateOptions {
  const raw = validateOptionsObject(options, field);
  return {
    signal: validateSignal(raw.signal, `${field}.signal`),
    reason: raw.reason === undefined ? undefined : requireString(raw.reason, `${field}.reason`, MEMORY_LIMITS.maxReasonLength),
    indexTerms: validateSuppliedTerms(raw.indexTerms, `${field}.indexTerms`),
  };
}
