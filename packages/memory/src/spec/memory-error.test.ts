import { describe, expect, it } from 'vitest';
import {
  MemoryConfigurationError,
  MemoryError,
  MemoryNotFoundError,
  MemoryValidationError,
  ProviderUnavailableError,
  UnsupportedFilterError,
} from './memory-error.js';

describe('typed errors', () => {
  it('carry the field, status or option that caused them, and keep the cause', () => {
    const cause = new Error('socket closed');
    const unavailable = new ProviderUnavailableError('redis', 'connection lost', {
      isRetryable: true,
      statusCode: 503,
      cause,
    });
    expect(unavailable.isRetryable).toBe(true);
    expect(unavailable.statusCode).toBe(503);
    expect(unavailable.cause).toBe(cause);
    expect(unavailable.message).toContain('redis');
    expect(new MemoryValidationError('options.limit', 'too big').field).toBe('options.limit');
    expect(new MemoryNotFoundError('m-1').memoryId).toBe('m-1');
    expect(new MemoryConfigurationError('apiKey', 'missing').option).toBe('apiKey');
    const unsupported = new UnsupportedFilterError('zep', 'gt', 'priority');
    expect([unsupported.provider, unsupported.operator, unsupported.field]).toEqual(['zep', 'gt', 'priority']);
  });

  it('isInstance tells the classes apart, including the base', () => {
    const errors = [
      new MemoryValidationError('userId', 'empty'),
      new MemoryNotFoundError('x'),
      new UnsupportedFilterError('p', 'gt'),
      new ProviderUnavailableError('p', 'down', { isRetryable: false }),
      new MemoryConfigurationError('key', 'bad'),
    ];
    const checks = [
      MemoryValidationError.isInstance,
      MemoryNotFoundError.isInstance,
      UnsupportedFilterError.isInstance,
      ProviderUnavailableError.isInstance,
      MemoryConfigurationError.isInstance,
    ];
    errors.forEach((error, i) => {
      expect(MemoryError.isInstance(error)).toBe(true);
      checks.forEach((check, j) => expect(check(error)).toBe(i === j));
    });
    expect(MemoryError.isInstance(new Error('plain'))).toBe(false);
    expect(MemoryError.isInstance(null)).toBe(false);
  });

  it('isInstance recognises an error from another copy of the package by its Symbol.for marker', () => {
    const foreign = Object.assign(new Error('from a second copy'), {
      [Symbol.for('fastagentic.memory.error')]: true,
      [Symbol.for('fastagentic.memory.error.not-found')]: true,
    });
    expect(foreign instanceof MemoryNotFoundError).toBe(false);
    expect(MemoryError.isInstance(foreign)).toBe(true);
    expect(MemoryNotFoundError.isInstance(foreign)).toBe(true);
    expect(MemoryValidationError.isInstance(foreign)).toBe(false);
  });
});
