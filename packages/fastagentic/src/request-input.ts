import { MemoryValidationError } from '@fastagentic/memory';
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

/** A `limit` query parameter, left to the provider's validator when present so the bounds stay in one place. */
export function parseLimitParameter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new MemoryValidationError('limit', 'must be an integer between 1 and 1000');
  return Number(value);
}
