import { MemoryConfigurationError } from '../spec/memory-error.js';

/** The default per-request timeout of every HTTP adapter. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Options read as plain data: every parser below throws MemoryConfigurationError naming the
 * option (`option`, e.g. `baseUrl` or `retry.maxRetries`), so a bad setup fails at construction.
 */
export function requireOption<T>(value: T | undefined, option: string, hint = 'is required'): T {
  if (value === undefined || value === null) throw new MemoryConfigurationError(option, hint);
  return value;
}

/** A non-blank string, or undefined when absent. */
export function stringOption(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new MemoryConfigurationError(option, 'must be a non-empty string');
  return value;
}

/** An absolute URL whose protocol is one of `protocols` (default http and https), without a trailing slash. */
export function urlOption(value: unknown, option: string, protocols: readonly string[] = ['http:', 'https:']): string | undefined {
  const text = stringOption(value, option);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch (cause) {
    throw new MemoryConfigurationError(option, `must be an absolute URL, got "${text}"`, { cause });
  }
  if (!protocols.includes(url.protocol)) {
    throw new MemoryConfigurationError(option, `must be a ${protocols.map((p) => p.replace(/:$/, '')).join(' or ')} URL`);
  }
  return text.replace(/\/+$/, '');
}

/** A finite number > 0, or `fallback` when absent. */
export function positiveNumberOption(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new MemoryConfigurationError(option, 'must be a positive number');
  }
  return value;
}

/** An integer >= 0, or `fallback` when absent. */
export function nonNegativeIntegerOption(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new MemoryConfigurationError(option, 'must be an integer >= 0');
  }
  return value;
}

/** true, false, or `fallback` when absent. */
export function booleanOption(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new MemoryConfigurationError(option, 'must be true or false');
  return value;
}

/**
 * The value of `option`, or of the first deprecated alias that is set (old option names keep
 * working). Setting the option and an alias to different values is an error naming both.
 */
export function aliasedOption<T extends object, K extends keyof T & string>(
  options: T,
  option: K,
  deprecatedAliases: ReadonlyArray<keyof T & string>,
): T[K] | undefined {
  let value = options[option];
  let from: string = option;
  for (const alias of deprecatedAliases) {
    const aliased = options[alias] as unknown as T[K] | undefined;
    if (aliased === undefined) continue;
    if (value !== undefined && value !== aliased) {
      throw new MemoryConfigurationError(option, `"${from}" and its deprecated alias "${alias}" disagree; set "${option}" only`);
    }
    value = aliased;
    from = alias;
  }
  return value;
}

/** An environment variable where there is a `process` (Node), undefined elsewhere (Workers). */
export function readEnv(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

export interface ReadYourWritesOptions {
  /** Longest wait for an add to become visible. Default 10 000 ms. */
  timeoutMs?: number;
  /** Pause between visibility checks. Default 100 ms. */
  intervalMs?: number;
}

export interface ReadYourWrites {
  timeoutMs: number;
  intervalMs: number;
}

/** `readYourWrites: true | { timeoutMs, intervalMs }` with the defaults filled in; undefined when off. */
export function parseReadYourWrites(value: boolean | ReadYourWritesOptions | undefined, option = 'readYourWrites'): ReadYourWrites | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null)) {
    throw new MemoryConfigurationError(option, 'must be true, false or { timeoutMs, intervalMs }');
  }
  const settings = value === true ? {} : value;
  return {
    timeoutMs: positiveNumberOption(settings.timeoutMs, `${option}.timeoutMs`, 10_000),
    intervalMs: positiveNumberOption(settings.intervalMs, `${option}.intervalMs`, 100),
  };
}
