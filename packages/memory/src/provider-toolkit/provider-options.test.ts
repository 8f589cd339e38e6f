import { describe, expect, it } from 'vitest';
import { MemoryConfigurationError } from '../spec/memory-error.js';
import {
  aliasedOption,
  nonNegativeIntegerOption,
  parseReadYourWrites,
  positiveNumberOption,
  requireOption,
  urlOption,
} from './provider-options.js';
import { waitUntilVisible } from './wait-until-visible.js';

function optionOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return MemoryConfigurationError.isInstance(error) ? error.option : `not a configuration error: ${String(error)}`;
  }
  return undefined;
}

describe('option parsing names the option', () => {
  it('required, URL and number options', () => {
    expect(optionOf(() => requireOption(undefined, 'apiKey'))).toBe('apiKey');
    expect(urlOption('https://api.example.com/v1/', 'baseUrl')).toBe('https://api.example.com/v1');
    expect(urlOption(undefined, 'baseUrl')).toBeUndefined();
    expect(optionOf(() => urlOption('api.example.com', 'baseUrl'))).toBe('baseUrl');
    expect(optionOf(() => urlOption('ftp://x', 'baseUrl'))).toBe('baseUrl');
    expect(positiveNumberOption(undefined, 'timeoutMs', 30_000)).toBe(30_000);
    expect(optionOf(() => positiveNumberOption(0, 'timeoutMs', 1))).toBe('timeoutMs');
    expect(optionOf(() => nonNegativeIntegerOption(1.5, 'retry.maxRetries', 3))).toBe('retry.maxRetries');
  });

  it('a deprecated alias still works; disagreeing with the new name is an error', () => {
    expect(aliasedOption({ host: 'https://a' } as { baseUrl?: string; host?: string }, 'baseUrl', ['host'])).toBe('https://a');
    expect(aliasedOption({ baseUrl: 'https://a', host: 'https://a' }, 'baseUrl', ['host'])).toBe('https://a');
    expect(optionOf(() => aliasedOption({ baseUrl: 'https://a', host: 'https://b' }, 'baseUrl', ['host']))).toBe('baseUrl');
  });

  it('readYourWrites: off, defaults, bounds named', () => {
    expect(parseReadYourWrites(undefined)).toBeUndefined();
    expect(parseReadYourWrites(true)).toEqual({ timeoutMs: 10_000, intervalMs: 100 });
    expect(optionOf(() => parseReadYourWrites({ timeoutMs: -1 }))).toBe('readYourWrites.timeoutMs');
  });
});

describe('waitUntilVisible', () => {
  it('resolves true once visible and false when the bound runs out, never throwing for time', async () => {
    let checks = 0;
    expect(await waitUntilVisible(async () => ++checks >= 3, { timeoutMs: 5_000, intervalMs: 1 })).toBe(true);
    expect(checks).toBe(3);
    expect(await waitUntilVisible(async () => false, { timeoutMs: 30, intervalMs: 5 })).toBe(false);
  });
});
