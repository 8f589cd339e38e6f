const MARKER = 'fastagentic.memory.error';
const MARKER_SYMBOL = Symbol.for(MARKER);

export interface MemoryErrorOptions {
  cause?: unknown;
}

/**
 * Base class of every error the SDK throws. `isInstance` checks a `Symbol.for` marker rather
 * than the prototype chain, so it still works when two copies of the package are installed.
 */
export class MemoryError extends Error {
  private readonly [MARKER_SYMBOL] = true;

  constructor(message: string, options: MemoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MemoryError';
  }

  static isInstance(error: unknown): error is MemoryError {
    return MemoryError.hasMarker(error, MARKER);
  }

  protected static hasMarker(error: unknown, marker: string): boolean {
    return (
      typeof error === 'object' &&
      error !== null &&
      (error as Record<symbol, unknown>)[Symbol.for(marker)] === true
    );
  }
}

function markerOf(name: string): symbol {
  return Symbol.for(`${MARKER}.${name}`);
}

const VALIDATION = markerOf('validation');

/** Bad input. `field` is the dotted path of the offending argument, e.g. `userId` or `options.limit`. */
export class MemoryValidationError extends MemoryError {
  private readonly [VALIDATION] = true;
  readonly field: string;

  constructor(field: string, message: string, options: MemoryErrorOptions = {}) {
    super(`Invalid ${field}: ${message}`, options);
    this.name = 'MemoryValidationError';
    this.field = field;
  }

  static override isInstance(error: unknown): error is MemoryValidationError {
    return MemoryError.hasMarker(error, `${MARKER}.validation`);
  }
}

const NOT_FOUND = markerOf('not-found');

/** The memory does not exist for this user (it may exist for another: that is never revealed). */
export class MemoryNotFoundError extends MemoryError {
  private readonly [NOT_FOUND] = true;
  readonly memoryId: string;

  constructor(memoryId: string, options: MemoryErrorOptions = {}) {
    super(`Memory not found: ${memoryId}`, options);
    this.name = 'MemoryNotFoundError';
    this.memoryId = memoryId;
  }

  static override isInstance(error: unknown): error is MemoryNotFoundError {
    return MemoryError.hasMarker(error, `${MARKER}.not-found`);
  }
}

const UNSUPPORTED_FILTER = markerOf('unsupported-filter');

/** The provider cannot honour this filter operator. Providers throw rather than ignore a filter. */
export class UnsupportedFilterError extends MemoryError {
  private readonly [UNSUPPORTED_FILTER] = true;
  readonly operator: string;
  readonly field: string | undefined;
  readonly provider: string;

  constructor(
    provider: string,
    operator: string,
    field?: string,
    options: MemoryErrorOptions & { reason?: string } = {},
  ) {
    const where = field === undefined ? '' : ` on field "${field}"`;
    const reason = options.reason === undefined ? '' : `: ${options.reason}`;
    super(`Provider "${provider}" does not support filter operator "${operator}"${where}${reason}`, options);
    this.name = 'UnsupportedFilterError';
    this.operator = operator;
    this.field = field;
    this.provider = provider;
  }

  static override isInstance(error: unknown): error is UnsupportedFilterError {
    return MemoryError.hasMarker(error, `${MARKER}.unsupported-filter`);
  }
}

const UNAVAILABLE = markerOf('provider-unavailable');

export interface ProviderUnavailableErrorOptions extends MemoryErrorOptions {
  isRetryable: boolean;
  statusCode?: number;
  retryAfterMs?: number;
}

/** The backend failed or could not be reached. `isRetryable` says whether trying again may help. */
export class ProviderUnavailableError extends MemoryError {
  private readonly [UNAVAILABLE] = true;
  readonly provider: string;
  readonly isRetryable: boolean;
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(provider: string, message: string, options: ProviderUnavailableErrorOptions) {
    super(`Provider "${provider}" failed: ${message}`, options);
    this.name = 'ProviderUnavailableError';
    this.provider = provider;
    this.isRetryable = options.isRetryable;
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
  }

  static override isInstance(error: unknown): error is ProviderUnavailableError {
    return MemoryError.hasMarker(error, `${MARKER}.provider-unavailable`);
  }
}

const CONFIGURATION = markerOf('configuration');

/** A provider or wrapper was set up wrongly (missing key, bad option). `option` names it. */
export class MemoryConfigurationError extends MemoryError {
  private readonly [CONFIGURATION] = true;
  readonly option: string;

  constructor(option: string, message: string, options: MemoryErrorOptions = {}) {
    super(`Invalid configuration "${option}": ${message}`, options);
    this.name = 'MemoryConfigurationError';
    this.option = option;
  }

  static override isInstance(error: unknown): error is MemoryConfigurationError {
    return MemoryError.hasMarker(error, `${MARKER}.configuration`);
  }
}
