import { ProviderUnavailableError } from '../spec/memory-error.js';
import { errorFromHttpStatus, errorFromNetworkFailure } from './http-errors.js';
import { DEFAULT_TIMEOUT_MS } from './provider-options.js';
import { DEFAULT_RETRY_POLICY, parseRetryAfterMs, withRetry, type RetryPolicy } from './retry.js';

/**
 * How a request may be retried. `read`: after every retryable failure. `idempotent-write`
 * (deletes, creating what may already exist): likewise, since repeating it changes nothing.
 * `write` (an add): only when the service said it did not apply it (429, 503) or the request
 * never left (connection refused); any other failure may have stored it, so it is thrown as not
 * retryable and the caller never stores twice.
 */
export type HttpRequestKind = 'read' | 'idempotent-write' | 'write';

export interface HttpRequestOptions {
  kind: HttpRequestKind;
  /** Query parameters, in order. */
  query?: Record<string, string | number>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface HttpJsonResponse<T> {
  body: T;
  headers: Headers;
}

export interface HttpJsonClientOptions {
  /** The provider's name, as errors report it (`ProviderUnavailableError.provider`). */
  provider: string;
  /** The service address; a path is relative to it. */
  baseUrl: string;
  /** Sent on every request (auth, client name). `Content-Type: application/json` is added when a body is sent. */
  headers?: Record<string, string>;
  /** Per attempt. Default `DEFAULT_TIMEOUT_MS` (30 s). */
  timeoutMs?: number;
  /** Default `DEFAULT_RETRY_POLICY`. */
  retry?: RetryPolicy;
}

/** The service's answer to a failed request, kept as the `cause` of the typed error, for an adapter's own checks. */
export class HttpResponseError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpResponseError';
  }
}

/** The service's answer behind a typed error the client threw, if it got one. */
export function httpResponseErrorOf(error: unknown): HttpResponseError | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof HttpResponseError ? cause : undefined;
}

/**
 * A JSON API over `fetch` (Web APIs only: Node, Workers, browsers) with what an HTTP adapter
 * needs: a timeout per attempt, the caller's AbortSignal on every request, retries through
 * `withRetry` honouring Retry-After (a write only when it certainly was not applied), and the
 * core's typed errors (`errorFromHttpStatus`, `errorFromNetworkFailure`). It sends nothing but
 * the requests it is asked for.
 */
export class HttpJsonClient {
  readonly baseUrl: string;
  private readonly provider: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly headers: Record<string, string>;
  private readonly jsonHeaders: Record<string, string>;

  constructor(options: HttpJsonClientOptions) {
    this.provider = options.provider;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.headers = { ...options.headers };
    const hasContentType = Object.keys(this.headers).some((name) => name.toLowerCase() === 'content-type');
    this.jsonHeaders = hasContentType ? this.headers : { ...this.headers, 'Content-Type': 'application/json' };
  }

  /** One call: `path` is relative to the base URL, e.g. `/v1/memories/{id}/`. Resolves to the parsed JSON (`{}` for an empty body). */
  async request<T = unknown>(method: string, path: string, options: HttpRequestOptions): Promise<T> {
    return (await this.send<T>(method, path, options)).body;
  }

  /** Like `request`, with the response headers (for a cursor header). */
  send<T = unknown>(method: string, path: string, options: HttpRequestOptions): Promise<HttpJsonResponse<T>> {
    let url = this.baseUrl + path;
    if (options.query !== undefined) {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(options.query)) query.append(key, String(value));
      url += `?${query.toString()}`;
    }
    const init: RequestInit = { method, headers: this.headers };
    if (options.body !== undefined) {
      init.headers = this.jsonHeaders;
      init.body = JSON.stringify(options.body);
    }
    const { signal, kind } = options;
    const operation = `${method} ${path}`;
    return withRetry((attempt) => this.attempt<T>(url, init, operation, kind, signal, attempt), { policy: this.retry, signal });
  }

  private async attempt<T>(
    url: string,
    init: RequestInit,
    operation: string,
    kind: HttpRequestKind,
    signal: AbortSignal | undefined,
    attempt: number,
  ): Promise<HttpJsonResponse<T>> {
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
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { ...init, signal: controller.signal });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw errorFromNetworkFailure(this.provider, operation, error, {
        unsafeWrite: kind === 'write',
        ...(timedOut ? { timedOutAfterMs: this.timeoutMs } : {}),
      });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forwardAbort);
    }
    const status = response.status;
    if (response.ok) return { body: this.parseJson<T>(text, operation), headers: response.headers };
    // A delete repeated after a lost answer finds the item already gone: that is its success.
    if (status === 404 && kind === 'idempotent-write' && attempt > 0 && init.method === 'DELETE') {
      return { body: {} as T, headers: response.headers };
    }
    const detail = detailOf(text);
    throw errorFromHttpStatus(this.provider, operation, status, {
      cause: new HttpResponseError(status, text, `HTTP ${status} on ${operation}: ${detail}`),
      detail,
      retryAfterMs: parseRetryAfterMs(response.headers.get('retry-after')),
      unsafeWrite: kind === 'write',
    });
  }

  private parseJson<T>(text: string, operation: string): T {
    if (text === '') return {} as T;
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new ProviderUnavailableError(this.provider, `${operation} answered with non-JSON: ${text.slice(0, 120)}`, {
        isRetryable: false,
        cause: error,
      });
    }
  }
}

/** An error body's `{ message }`, else its start. */
function detailOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown } | null;
    if (typeof parsed?.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the text itself says what went wrong.
  }
  return text.slice(0, 300);
}
