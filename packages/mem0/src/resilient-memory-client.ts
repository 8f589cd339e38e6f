import { MemoryConfigurationError, ProviderUnavailableError } from '@fastagentic/memory';
import { delay } from '@fastagentic/memory/provider';
import { MemoryClient } from 'mem0ai';
import { backoffDelayMs, parseRetryAfterMs, type RetryPolicy } from './retry-policy.js';

export interface ResilientMemoryClientOptions {
  apiKey: string;
  host: string | undefined;
  retry: RetryPolicy;
  timeoutMs: number;
  telemetry: boolean;
}

type ClientInternals = Record<string, (this: ResilientMemoryClient, ...args: unknown[]) => unknown>;

const PROVIDER = 'mem0';
const original = MemoryClient.prototype as unknown as ClientInternals;
// mem0ai resolves its identity from inside its constructor, before subclass fields exist:
// the telemetry choice is handed over through this variable for the length of that call.
let constructingWithTelemetry = false;

function describeFailure(method: string, url: string, status: number, body: string): string {
  const path = new URL(url).pathname;
  return `HTTP ${status} on ${method} ${path}${body ? `: ${body.slice(0, 300)}` : ''}`;
}

function parseJson(text: string, method: string, url: string): unknown {
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ProviderUnavailableError(PROVIDER, `${method} ${new URL(url).pathname} answered with non-JSON: ${text.slice(0, 120)}`, {
      isRetryable: false,
      cause: error,
    });
  }
}

/**
 * The official mem0ai MemoryClient (it still builds every request) with three changes at its
 * single HTTP seam, `_fetchRawJson`: per-call AbortSignal and timeout, bounded retries of 429 /
 * 5xx / network failures with jittered backoff honouring Retry-After, and the core's typed
 * errors. Unless telemetry is opted into, its analytics events, its identity ping at
 * construction and its ~/.mem0 writes are switched off.
 */
export class ResilientMemoryClient extends MemoryClient {
  private readonly retry: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly telemetry: boolean;
  private callSignal: AbortSignal | undefined;

  static {
    const quiet = ResilientMemoryClient.prototype as unknown as ClientInternals;
    quiet._captureEvent = function (this: ResilientMemoryClient, ...args: unknown[]) {
      if (this.telemetry) return original._captureEvent!.apply(this, args);
    };
    // Quiet: no identity ping at construction, and mem0ai's per-process identity cache is left
    // alone, so a plain MemoryClient with the same key elsewhere in the process is unaffected.
    quiet._resolveIdentity = function (this: ResilientMemoryClient, ...args: unknown[]) {
      if (constructingWithTelemetry) return original._resolveIdentity!.apply(this, args);
      return Promise.resolve();
    };
    // Deferred a tick so that the ping it sends sees this class's fields, set once super() returns.
    quiet._initializeClient = function (this: ResilientMemoryClient, ...args: unknown[]) {
      return Promise.resolve().then(() => original._initializeClient!.apply(this, args));
    };
  }

  constructor(options: ResilientMemoryClientOptions) {
    // The seams above are mem0ai 3.3 internals: refuse a client where they are gone rather than
    // silently let its telemetry through.
    for (const name of ['_captureEvent', '_resolveIdentity', '_initializeClient', '_fetchRawJson']) {
      if (typeof original[name] !== 'function') {
        throw new MemoryConfigurationError('mem0ai', `this mem0ai version has no MemoryClient.${name}; use mem0ai ~3.3.1`);
      }
    }
    constructingWithTelemetry = options.telemetry;
    try {
      super({ apiKey: options.apiKey, ...(options.host === undefined ? {} : { host: options.host }) });
    } finally {
      constructingWithTelemetry = false;
    }
    this.retry = options.retry;
    this.timeoutMs = options.timeoutMs;
    this.telemetry = options.telemetry;
  }

  /** A view of this client whose requests all use `signal` (cheap: one object per call). */
  withSignal(signal: AbortSignal | undefined): this {
    if (signal === undefined) return this;
    const scoped = Object.create(this) as this;
    scoped.callSignal = signal;
    return scoped;
  }

  /** Sends one request through the same retrying seam and returns the parsed JSON, keys as sent. */
  requestJson(path: string, init: { method?: string; body?: string } = {}): Promise<unknown> {
    return this._fetchRawJson(`${this.host}${path}`, { ...init, headers: this.headers });
  }

  override async _fetchRawJson(url: string, options: RequestInit & { headers?: Record<string, string> }): Promise<unknown> {
    const signal = this.callSignal;
    const method = options.method ?? 'GET';
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      // One controller per attempt, its timer cleared on completion: no timers outlive the request.
      const controller = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this.timeoutMs);
      const forwardAbort = () => controller.abort(signal!.reason);
      signal?.addEventListener('abort', forwardAbort, { once: true });
      let response: Response;
      let text: string;
      try {
        response = await fetch(url, {
          ...options,
          headers: { ...options.headers, Authorization: `Token ${this.apiKey}` },
          signal: controller.signal,
        });
        text = await response.text();
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const failure = new ProviderUnavailableError(
          PROVIDER,
          timedOut ? `${method} timed out after ${this.timeoutMs} ms` : `${method} failed: ${String(error)}`,
          { isRetryable: true, cause: error },
        );
        if (attempt >= this.retry.maxRetries) throw failure;
        await delay(backoffDelayMs(this.retry, attempt), signal);
        continue;
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', forwardAbort);
      }
      if (response.ok) return parseJson(text, method, url);
      const status = response.status;
      const message = describeFailure(method, url, status, text);
      if (status === 401) {
        throw new MemoryConfigurationError('apiKey', `Mem0 rejected the API key (${message})`);
      }
      if (status !== 429 && status < 500) {
        throw new ProviderUnavailableError(PROVIDER, message, { isRetryable: false, statusCode: status });
      }
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
      const failure = new ProviderUnavailableError(PROVIDER, message, {
        isRetryable: true,
        statusCode: status,
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      });
      if (attempt >= this.retry.maxRetries || (retryAfterMs !== undefined && retryAfterMs > this.retry.maxDelayMs)) {
        throw failure;
      }
      await delay(retryAfterMs ?? backoffDelayMs(this.retry, attempt), signal);
    }
  }
}
