import { httpResponseErrorOf } from '@fastagentic/memory/provider';

/**
 * Zep's "no such user/thread/edge": a 404, or a 400 whose message says "not found" (Zep answers
 * either way depending on the endpoint).
 */
export function isNotFound(error: unknown): boolean {
  const response = httpResponseErrorOf(error);
  if (response === undefined) return false;
  return response.status === 404 || (response.status === 400 && /not found/i.test(response.text));
}

/** Zep's answer to creating a user or thread that exists: 409, or a 400 saying it exists. */
export function isAlreadyExists(error: unknown): boolean {
  const response = httpResponseErrorOf(error);
  if (response === undefined) return false;
  return response.status === 409 || (response.status === 400 && /already exist/i.test(response.text));
}
