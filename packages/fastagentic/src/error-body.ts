import {
  MemoryNotFoundError,
  MemoryValidationError,
  ProviderUnavailableError,
  UnsupportedFilterError,
} from '@fastagentic/memory';
import { QuotaExceededError } from './quota-exceeded-error.js';

/** The JSON body of every error the app answers with. `field` names the offending input, when there is one. */
export interface ErrorBody {
  /** `limit` names the per-user quota a refused write reached (`memories` or `bytes`), and `max` its size. */
  error: { type: string; message: string; field?: string; limit?: string; max?: number };
}

export function errorBody(type: string, message: string, field?: string): ErrorBody {
  return { error: field === undefined ? { type, message } : { type, field, message } };
}

/** A request the app refuses before any memory work: too large, not JSON. */
export class HttpInputError extends Error {
  constructor(
    readonly status: 413 | 415,
    readonly type: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'HttpInputError';
  }
}

/** Provider validators name call options `options.limit`; over HTTP the same input is just `limit`. */
function httpField(field: string): string {
  return field.startsWith('options.') ? field.slice('options.'.length) : field;
}

/** Maps the core's typed errors to a status and body; anything else is a 500 that reveals nothing. */
export function errorToResponse(error: unknown): { status: 400 | 404 | 413 | 415 | 500 | 502 | 503 | 507; body: ErrorBody } {
  if (error instanceof HttpInputError) return { status: error.status, body: errorBody(error.type, error.message, error.field) };
  if (error instanceof QuotaExceededError) {
    return { status: 507, body: { error: { type: 'quota_exceeded', limit: error.limit, max: error.max, message: error.message } } };
  }
  if (MemoryValidationError.isInstance(error)) {
    const field = httpField(error.field);
    return { status: 400, body: errorBody('validation_error', error.message.replace(error.field, field), field) };
  }
  if (UnsupportedFilterError.isInstance(error)) {
    return { status: 400, body: errorBody('unsupported_filter', error.message, 'filters') };
  }
  if (MemoryNotFoundError.isInstance(error)) {
    return { status: 404, body: errorBody('not_found', error.message) };
  }
  if (ProviderUnavailableError.isInstance(error)) {
    return { status: 503, body: errorBody('provider_unavailable', error.message) };
  }
  return { status: 500, body: errorBody('internal_error', 'The server failed to handle the request') };
}
