import { MemoryValidationError } from './spec/memory-error.js';
import { validateUserId } from './spec/validate-input.js';

/**
 * Reads the user id from a context object by dotted path (the spec's `user_id_field`, default
 * `user.id`). Numbers are accepted and turned into strings; anything else missing or empty throws
 * MemoryValidationError naming the path.
 */
export function extractUserId(source: unknown, userIdField = 'user.id'): string {
  const parts = userIdField.split('.');
  if (parts.some((part) => part.length === 0)) {
    throw new MemoryValidationError('userIdField', `"${userIdField}" is not a dotted path such as "user.id"`);
  }
  let value: unknown = source;
  for (const part of parts) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, part)) {
      throw new MemoryValidationError(userIdField, `the user id field "${userIdField}" is missing`);
    }
    value = (value as Record<string, unknown>)[part];
  }
  if (typeof value === 'number' && Number.isSafeInteger(value)) value = String(value);
  return validateUserId(value, userIdField);
}
