import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryConfigurationError, ProviderUnavailableError } from '../spec/memory-error.js';
import { HttpJsonClient, HttpResponseError, httpResponseErrorOf, type HttpJsonClientOptions } from './http-json-client.js';

interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (request: SeenRequest, response: ServerResponse, count: number) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: SeenRequest[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(request);
      handler(request, res, seen.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

afterEach(() => {
  seen = [];
  vi.restoreAllMocks();
});

function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function client(options: Partial<HttpJsonClientOptions> = {}): HttpJsonClient {
  return new HttpJsonClient({
    provider: 'svc',
    baseUrl,
    headers: { Authorization: 'Token k' },
    timeoutMs: 5_000,
    retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2_000 },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to fail');
}

describe('HttpJsonClient', () => {
  it('sends the path, query, headers and a JSON body; resolves to the parsed body and headers', async () => {
    handler = (_request, response) => json(response, 200, { ok: true }, { 'x-cursor': 'next' });
    const answer = await client().send<{ ok: boolean }>('POST', '/items/a%20b', { kind: 'write', query: { user_id: 'u 1', limit: 5 }, body: { text: 'hi' } });
    expect(answer.body).toEqual({ ok: true });
    expect(answer.headers.get('x-cursor')).toBe('next');
    expect(await client().request('GET', '/items', { kind: 'read' })).toEqual({ ok: true });
    const [post, get] = seen;
    expect([post!.method, post!.url, post!.body]).toEqual(['POST', '/api/items/a%20b?user_id=u+1&limit=5', '{"text":"hi"}']);
    expect([post!.headers.authorization, post!.headers['content-type']]).toEqual(['Token k', 'application/json']);
    // No body, no content type (unless the adapter's headers carry one).
    expect([get!.method, get!.headers.authorization, get!.headers['content-type']]).toEqual(['GET', 'Token k', undefined]);
  });

  it('an empty body resolves to {}', async () => {
    handler = (_request, response) => response.writeHead(204).end();
    expect(await client().request('DELETE', '/items/1', { kind: 'idempotent-write' })).toEqual({});
  });

  it('a timeout per attempt: retryable for a read, thrown after one attempt for a write', async () => {
    handler = () => {
      // Never answers.
    };
    const read = await failure(client({ timeoutMs: 150, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 10 } }).request('GET', '/slow', { kind: 'read' }));
    expect(ProviderUnavailableError.isInstance(read) && read.isRetryable).toBe(true);
    expect((read as Error).message).toContain('timeoutMs');
    expect(seen).toHaveLength(2);
    seen = [];
    const write = await failure(client({ timeoutMs: 150 }).request('POST', '/slow', { kind: 'write', body: {} }));
    expect(ProviderUnavailableError.isInstance(write) && write.isRetryable).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it("the caller's abort stops the request at once with the caller's reason", async () => {
    handler = () => {
      // Never answers: only the abort ends the request.
    };
    const controller = new AbortController();
    const started = Date.now();
    const call = client({ timeoutMs: 20_000 }).request('GET', '/slow', { kind: 'read', signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const error = await failure(call);
    expect((error as Error).message).toBe('caller gave up');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(seen).toHaveLength(1);
  });

  it('waits as long as Retry-After says, and throws at once when that is longer than maxDelayMs', async () => {
    handler = (_request, response, count) =>
      count === 1 ? json(response, 429, { message: 'slow down' }, { 'retry-after': '1' }) : json(response, 200, { ok: true });
    const started = Date.now();
    expect(await client().request('GET', '/limited', { kind: 'read' })).toEqual({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(seen).toHaveLength(2);
    seen = [];
    handler = (_request, response) => json(response, 429, { message: 'come back later' }, { 'retry-after': '60' });
    const error = await failure(client().request('GET', '/limited', { kind: 'read' }));
    expect(ProviderUnavailableError.isInstance(error) && [error.statusCode, error.retryAfterMs, error.isRetryable]).toEqual([429, 60_000, true]);
    expect(seen).toHaveLength(1);
  });

  it('retries a read after a 500', async () => {
    handler = (_request, response, count) => (count === 1 ? json(response, 500, { message: 'boom' }) : json(response, 200, { ok: true }));
    expect(await client().request('GET', '/flaky', { kind: 'read' })).toEqual({ ok: true });
    expect(seen).toHaveLength(2);
  });

  it('does not retry a write after a 500 (it may be stored), and throws it as not retryable', async () => {
    handler = (_request, response) => json(response, 500, { message: 'boom' });
    const error = await failure(client().request('POST', '/add', { kind: 'write', body: { text: 'once' } }));
    expect(ProviderUnavailableError.isInstance(error) && [error.statusCode, error.isRetryable]).toEqual([500, false]);
    expect((error as Error).message).toContain('boom');
    expect(seen).toHaveLength(1);
  });

  it('retries a write after a 503 (the service did not apply it)', async () => {
    handler = (_request, response, count) => (count === 1 ? json(response, 503, { message: 'busy' }) : json(response, 200, { id: 'm1' }));
    expect(await client().request('POST', '/add', { kind: 'write', body: { text: 'once' } })).toEqual({ id: 'm1' });
    expect(seen).toHaveLength(2);
  });

  it('retries a write refused before sending, not one whose connection broke after sending', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const fetchCalls = vi.spyOn(globalThis, 'fetch');
    const refused = await failure(client({ baseUrl: `http://127.0.0.1:${port}` }).request('POST', '/add', { kind: 'write', body: {} }));
    expect(ProviderUnavailableError.isInstance(refused) && refused.isRetryable).toBe(true);
    expect(fetchCalls).toHaveBeenCalledTimes(3);

    handler = (_request, response) => response.socket?.destroy();
    const broken = await failure(client().request('POST', '/add', { kind: 'write', body: {} }));
    expect(ProviderUnavailableError.isInstance(broken) && broken.isRetryable).toBe(false);
    expect(seen).toHaveLength(1);
  });

  it('401 and 403 are MemoryConfigurationError("apiKey") with the answer as cause, never retried', async () => {
    for (const status of [401, 403]) {
      seen = [];
      handler = (_request, response) => json(response, status, { message: 'bad key' });
      const error = await failure(client().request('GET', '/items', { kind: 'read' }));
      expect(MemoryConfigurationError.isInstance(error) && error.option).toBe('apiKey');
      expect(httpResponseErrorOf(error)?.status).toBe(status);
      expect(seen).toHaveLength(1);
    }
  });

  it("keeps the service's answer (status and text) for the adapter's own checks", async () => {
    handler = (_request, response) => json(response, 400, { message: 'user not found' });
    const error = await failure(client().request('GET', '/users/u1', { kind: 'read' }));
    expect(ProviderUnavailableError.isInstance(error) && [error.statusCode, error.isRetryable]).toEqual([400, false]);
    const answer = httpResponseErrorOf(error);
    expect(answer).toBeInstanceOf(HttpResponseError);
    expect([answer?.status, answer?.text]).toEqual([400, '{"message":"user not found"}']);
    expect((error as Error).message).toContain('user not found');
  });

  it('a retried delete that finds the item gone has succeeded', async () => {
    handler = (_request, response, count) => (count === 1 ? json(response, 502, {}) : json(response, 404, { message: 'not found' }));
    expect(await client().request('DELETE', '/items/1', { kind: 'idempotent-write' })).toEqual({});
    expect(seen).toHaveLength(2);
  });

  it('a success that is not JSON is a typed, non-retryable error', async () => {
    handler = (_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy</html>');
    const error = await failure(client().request('GET', '/items', { kind: 'read' }));
    expect(ProviderUnavailableError.isInstance(error) && error.isRetryable).toBe(false);
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect(seen).toHaveLength(1);
  });
});
