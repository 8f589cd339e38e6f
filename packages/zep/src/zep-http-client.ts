import { MemoryConfigurationError, ProviderUnavailableError } from '@fastagentic/memory';
import { parseRetryAfterMs, withRetry, type RetryPolicy } from '@fastagentic/memory/provider';

export const PROVIDER_NAME = 'zep';
/** Zep Cloud's v2 API, the base @getzep/zep-cloud uses when none is given. */
export const ZEP_CLOUD_BASE_URL = 'https://api.getzep.com/api/v2';

/**
 * How a request may be retried. `read`: every retryable failure. `idempotent-write` (deletes,
 * creating a user or thread that may exist): likewise, since repeating it changes nothing.
 * `write` (adding messages): only when Zep said it did not apply it (429, 503) or the request
 * never left (connection refused); any other failure may have stored the messages, so it is
 * thrown as not retryable and the caller never stores them twice.
 */
export type RequestKind = 'read' | 'idempotent-write' | 'write';

export interface ZepRequestOptions {
  kind: RequestKind;
  /** Query parameters, in order. */
  query?: Record<string, string | number>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export interface ZepResponse<T> {
  body: T;
  headers: Headers;
}

export interface ZepHttpClientOptions {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
}

/** Zep's answer to a failed request, kept as the `cause` of the typed error. */
export class ZepResponseError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
    message: string,
  ) {
    super(message);
    this.name = 'ZepResponseError';
  }
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

function responseErrorOf(error: unknown): ZepResponseError | undefined {
  if (!ProviderUnavailableError.isInstance(error)) return undefined;
  return error.cause instanceof ZepResponseError ? error.cause : undefined;
}

/**
 * Zep's "no such user/thread/edge": a 404, or a 400 whose message says "not found" (Zep answers
 * either way depending on the endpoint).
 */
export function isNotFound(error: unknown): boolean {
  const response = responseErrorOf(error);
  if (response === undefined) return false;
  return response.status === 404 || (response.status === 400 && /not found/i.test(response.text));
}

/** Zep's answer to creating a user or thread that exists: 409, or a 400 saying it exists. */
export function isAlreadyExists(error: unknown): boolean {
  const response = responseErrorOf(error);
  if (response === undefined) return false;
  return response.status === 409 || (response.status === 400 && /already exist/i.test(response.text));
}

/**
 * Zep's REST API over `fetch`, on the wire @getzep/zep-cloud 3.30's ZepClient uses
 * (`Authorization: Api-Key`, JSON bodies in snake_case, the same paths and query parameters),
 * with a timeout per attempt, the caller's AbortSignal on every request, retries through the
 * core's `withRetry` honouring Retry-After, and the core's typed errors.
 */
export class ZepHttpClient {
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;
  private readonly headers: Record<string, string>;
  private readonly jsonHeaders: Record<string, string>;

  constructor(options: ZepHttpClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs;
    this.retry = options.retry;
    this.headers = { Authorization: `Api-Key ${options.apiKey}` };
    this.jsonHeaders = { ...this.headers, 'Content-Type': 'application/json' };
  }

  /** One call to Zep: `path` is relative to the base URL, e.g. `/graph/search`. Resolves to the parsed JSON. */
  async request<T>(method: string, path: string, options: ZepRequestOptions): Promise<T> {
    return (await this.send<T>(method, path, options)).body;
  }

  /** Like `request`, resolving to null when Zep says the user, thread or item does not exist. */
  async find<T>(method: string, path: string, options: ZepRequestOptions): Promise<T | null> {
    try {
      return (await this.send<T>(method, path, options)).body;
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /** The parsed JSON with the response headers (for `Zep-Next-Cursor`). */
  send<T>(method: string, path: string, options: ZepRequestOptions): Promise<ZepResponse<T>> {
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
    return withRetry((attempt) => this.attempt<T>(url, init, kind, signal, attempt), { policy: this.retry, signal });
  }

  private async attempt<T>(
    url: string,
    init: RequestInit,
    kind: RequestKind,
    signal: AbortSignal | undefined,
    attempt: number,
  ): Promise<ZepResponse<T>> {
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
      response = await fetch(url, { ...init, signal: controller.signal });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const notSent = !timedOut && NOT_SENT_CODES.has(errorCode(error) ?? '');
      throw new ProviderUnavailableError(
        PROVIDER_NAME,
        timedOut
          ? `${method} ${pathOf(url)} timed out after ${this.timeoutMs} ms (timeoutMs)`
          : `${method} ${pathOf(url)} failed: ${String(error)}`,
        { isRetryable: kind !== 'write' || notSent, cause: error },
      );
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', forwardAbort);
    }
    const status = response.status;
    if (response.ok) return { body: parseJson<T>(text, method, url), headers: response.headers };
    // A delete repeated after a lost answer finds the item already gone: that is its success.
    if (status === 404 && kind === 'idempotent-write' && attempt > 0 && method === 'DELETE') {
      return { body: {} as T, headers: response.headers };
    }
    const message = `HTTP ${status} on ${method} ${pathOf(url)}: ${messageOf(text)}`;
    const cause = new ZepResponseError(status, text, message);
    if (status === 401 || status === 403) {
      throw new MemoryConfigurationError('apiKey', `Zep refused the API key (${message})`, { cause });
    }
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'));
    const retryable = isRetryableStatus(status) && (kind !== 'write' || status === 429 || status === 503);
    throw new ProviderUnavailableError(PROVIDER_NAME, message, {
      cause,
      isRetryable: retryable,
      statusCode: status,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
}

/** Zep's `{ message }`, else the start of the body. */
function messageOf(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    if (typeof parsed?.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the text itself says what went wrong.
  }
  return text.slice(0, 300);
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
    throw new ProviderUnavailableError(PROVIDER_NAME, `${method} ${pathOf(url)} answered with non-JSON: ${text.slice(0, 120)}`, {
      isRetryable: false,
      cause: error,
    });
  }
}
