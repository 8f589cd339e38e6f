import { InMemoryProvider, ProviderUnavailableError, type MemoryOperationEvent, type MemoryProvider } from '@fastagentic/memory';
import { sign } from 'hono/jwt';
import type { AppLogger } from '../src/app.js';

export const SECRET = 'fastagentic-test-secret-0123456789abcdef';

export function tokenFor(claims: Record<string, unknown>, secret = SECRET): Promise<string> {
  return sign({ exp: Math.floor(Date.now() / 1000) + 600, ...claims }, secret, 'HS256');
}

export async function post(app: { fetch(request: Request, env?: unknown, ctx?: unknown): Response | Promise<Response> }, path: string, token: string, body: unknown, ctx?: unknown) {
  const response = await app.fetch(
    new Request(`http://app.test${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }),
    {},
    ctx,
  );
  return { status: response.status, body: (await response.json()) as any };
}

/** A backend that is down: every call fails the way a real adapter reports an outage. */
export class UnreachableProvider extends InMemoryProvider {
  override async search(): Promise<never> {
    throw new ProviderUnavailableError('down', 'connection refused', { isRetryable: true });
  }
  override async getAll(): Promise<never> {
    throw new ProviderUnavailableError('down', 'connection refused', { isRetryable: true });
  }
}

/** A backend that answers reads late (and stops when aborted), and writes late. */
export function slowProvider(inner: MemoryProvider, readDelayMs: number, writeDelayMs = 0): MemoryProvider {
  const wait = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason);
      });
    });
  return {
    specificationVersion: 'v1',
    provider: 'slow',
    capabilities: inner.capabilities,
    add: async (...args) => {
      await wait(writeDelayMs);
      return inner.add(...args);
    },
    search: async (userId, query, options) => {
      await wait(readDelayMs, options?.signal);
      return inner.search(userId, query, options);
    },
    getAll: async (userId, options) => {
      await wait(readDelayMs, options?.signal);
      return inner.getAll(userId, options);
    },
    get: (...args) => inner.get(...args),
    delete: (...args) => inner.delete(...args),
    deleteAll: (...args) => inner.deleteAll(...args),
  };
}

export function recordingLogger() {
  const lines: { level: string; message: string; details: Record<string, unknown> }[] = [];
  const logger: AppLogger = {
    warn: (message, details) => lines.push({ level: 'warn', message, details }),
    error: (message, details) => lines.push({ level: 'error', message, details }),
  };
  return { logger, lines };
}

export function recordingMetrics() {
  const events: MemoryOperationEvent[] = [];
  return { recorder: { record: (event: MemoryOperationEvent) => events.push(event) }, events };
}
