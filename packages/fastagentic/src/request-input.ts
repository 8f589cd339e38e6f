import { MemoryValidationError, type MemoryFilter } from '@fastagentic/memory';
import { MEMORY_LIMITS } from '@fastagentic/memory/provider';
import type { Context } from 'hono';
import { HttpInputError } from './error-body.js';

/** Identity comes from the verified token only: these names in a body or query are refused, not ignored. */
const IDENTITY_FIELDS = ['userId', 'user_id', 'user'];

const SESSION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The JSON object body of a request; 400 naming `body` when it is missing or not an object. */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type')?.split(';', 1)[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !type?.endsWith('+json')) {
    throw new HttpInputError(415, 'unsupported_media_type', 'Send the body as JSON with Content-Type: application/json', 'Content-Type');
  }
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new MemoryValidationError('body', 'must be a JSON object (send Content-Type: application/json)');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new MemoryValidationError('body', 'must be a JSON object');
  }
  rejectIdentityFields(Object.keys(body));
  return body as Record<string, unknown>;
}

export function rejectIdentityFields(names: Iterable<string>): void {
  for (const name of names) {
    if (IDENTITY_FIELDS.includes(name)) {
      throw new MemoryValidationError(name, 'the user is taken from the bearer token, never from the request');
    }
  }
}

/** The chat message: a non-empty string short enough to be a search query. */
export function parseMessage(value: unknown, field = 'message'): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw new MemoryValidationError(field, 'must be a non-empty string');
  }
  if (value.length > MEMORY_LIMITS.maxQueryLength) {
    throw new MemoryValidationError(field, `must be at most ${MEMORY_LIMITS.maxQueryLength} characters`);
  }
  return value;
}

/**
 * The session, from the `X-Session-Id` header or the body's `sessionId`. A session id only groups
 * one user's turns; it never identifies anyone.
 */
export function parseSessionId(header: string | undefined, bodyValue: unknown): string | undefined {
  const value = header ?? bodyValue;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !SESSION_ID_PATTERN.test(value)) {
    throw new MemoryValidationError('sessionId', 'must be 1 to 128 letters, digits or . _ : -');
  }
  return value;
}

/**
 * Refuses query parameters a route does not read, so a misspelt or unsupported one is a 400 naming
 * it rather than an answer that silently ignored it. Identity fields get their own message first.
 */
export function rejectUnknownParameters(names: string[], known: readonly string[]): void {
  rejectIdentityFields(names);
  const unknown = names.find((name) => !known.includes(name));
  if (unknown !== undefined) {
    throw new MemoryValidationError(unknown, `is not a parameter of this route (it takes ${known.join(', ')})`);
  }
}

/** A `filters` query parameter: the same filter object as in a POST body, as URL-encoded JSON. */
export function parseFiltersParameter(value: string | undefined): MemoryFilter | undefined {
  if (value === undefined) return undefined;
  let filters: unknown;
  try {
    filters = JSON.parse(value);
  } catch {
    throw new MemoryValidationError('filters', 'must be a filter object as URL-encoded JSON, e.g. filters=%7B%22category%22%3A%22travel%22%7D');
  }
  // The provider's validator checks the object itself and names the offending key.
  return filters as MemoryFilter;
}

/** A number query parameter (`minRelevance`), left to the provider's validator for its bounds. */
export function parseNumberParameter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  return value.trim() === '' ? Number.NaN : Number(value);
}

/** A `limit` query parameter, left to the provider's validator when present so the bounds stay in one place. */
export function parseLimitParameter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new MemoryValidationError('limit', 'must be an integer between 1 and 1000');
  return Number(value);
}
