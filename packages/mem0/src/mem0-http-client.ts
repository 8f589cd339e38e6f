import { MemoryConfigurationError, ProviderUnavailableError } from '@fastagentic/memory';
import { parseRetryAfterMs, withRetry, type RetryPolicy } from '@fastagentic/memory/provider';

export const PROVIDER = 'mem0';
/** Sent as X-Mem0-Client, where mem0ai sends `mem0-js/<version>`: Mem0 sees which client called. */
export const MEM0_CLIENT_HEADER = 'fastagentic-mem0/0.1.0';

/**
 * How a request may be retried. `read`: every retryable failure. `idempotent-write` (deletes):
 * likewise, since repeating it changes nothing. `write` (add): only when Mem0 said it did not
 * apply it (429, 503) or the request never left (connection refused); any other failure may
 * have stored it, so it is thrown as not retryable and the caller never stores twice.
 */
export type RequestKind = 'read' | 'idempotent-write' | 'write';

export interface Mem0RequestOptions {
  kind: RequestKind;
  /** Query parameters, in order. */
  query?: Record<string, string | number>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface Mem0HttpClientOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
}

// Failures of the connection before any byte was sent: a write there was certainly not applied.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Mem0's REST API over `fetch`, on the wire mem0ai's MemoryClient uses (`Token` auth, JSON,
 * the same paths and bodies), with what that client lacks: a timeout per attempt, the caller's
 * AbortSignal on every request, retries through the core's `withRetry` honouring Retry-After,
 * and the core's typed errors. It sends nothing but the requests it is asked for.
 */
export class Mem0HttpClient {
  readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly jsonHeaders: Record<string, string>;

  constructor(options: Mem0HttpClientOptions) {
    this.baseUrl = options.baseUrl;
    this.timeoutMs = options.timeoutMs;
    this.retry = options.retry;
    this.jsonHeaders = {
      Authorization: `Token ${options.apiKey}`,
      'Content-Type': 'application/json',
      'X-Mem0-Client': MEM0_CLIENT_HEADER,
    };
  }

  /** One call to Mem0: `path` is relative to the base URL, e.g. `/v1/memories/{id}/`. Resolves to the parsed JSON. */
  request<T = unknown>(method: string, path: string, options: Mem0RequestOptions): Promise<T> {
    let url = this.baseUrl + path;
    if (options.query !== undefined) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(options.query)) query.append(key, String(value));
      url += `?${query.toString()}`;
    }
    const init: RequestInit = { method, headers: this.jsonHeaders };
    if (options.body !== undefined) init.body = JSON.stringify(options.body);
    const { signal, kind } = options;
    return withRetry((attempt) => this.attempt<T>(url, init, kind, signal, attempt), { policy: this.retry, signal });
  }

  private async attempt<T>(url: string, init: RequestInit, kind: RequestKind, signal: AbortSignal | undefined, attempt: number): Promise<T> {
    signal?.throwIfAborted();
    // One controller per attempt, its timer cleared on completion: no timer outlives the request.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeoutMs);
    const forwardAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener('abort', forwardAbort, { once: true });
    const method = init.method!;
    let response: Response;
    let text: string;
    try {
      init.signal = controller.signal;
      response = await fetch(url, init);
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const notSent = !timedOut && NOT_SENT_CODES.has(errorCode(error) ?? '');
      throw new ProviderUnavailableError(
        PROVIDER,
        timedOut ? `${method} ${pathOf(url)} timed out after ${this.timeoutMs} ms (timeoutMs)` : `${method} ${pathOf(url)} failed: ${String(error)}`,
        { isRetryable: kind !== 'write' || notSent, cause: error },
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forwardAbort);
    }
    const status = response.status;
    if (response.ok) return parseJson<T>(text, method, url);
    // A delete repeated after a lost answer finds the memory already gone: that is its success.
    if (status === 404 && kind === 'idempotent-write' && attempt > 0) return {} as T;
    const message = `HTTP ${status} on ${method} ${pathOf(url)}${text ? `: ${text.slice(0, 300)}` : ''}`;
    if (status === 401 || status === 403) {
      throw new MemoryConfigurationError('apiKey', `Mem0 refused the API key (${message})`);
    }
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
    const retryable = isRetryableStatus(status) && (kind !== 'write' || status === 429 || status === 503);
    throw new ProviderUnavailableError(PROVIDER, message, {
      isRetryable: retryable,
      statusCode: status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const end = url.indexOf('?');
  return url.slice(start, end < 0 ? undefined : end);
}

function parseJson<T>(text: string, method: string, url: string): T {
  if (text === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new ProviderUnavailableError(PROVIDER, `${method} ${pathOf(url)} answered with non-JSON: ${text.slice(0, 120)}`, {
      isRetryable: false,
      cause: error,
    });
  }
}
