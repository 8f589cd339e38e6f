import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export interface BodySizeLimitOptions {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}

/**
 * Hono's bodyLimit without touching the body when Content-Length states its size. Reading
 * `c.req.raw.body` makes @hono/node-server wrap the Node stream in a full web Request (headers
 * copied, a ReadableStream, an AbortController): CPU on every request, and memory held until the
 * connection's next request. A stated length is what the runtime's HTTP parser holds the body to,
 * so it is checked alone; a body without one is still counted as it streams in.
 */
export function bodySizeLimit(options: BodySizeLimitOptions): MiddlewareHandler {
  const streamed = bodyLimit(options);
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > options.maxSize) return options.onError(c);
      await next();
      return;
    }
    return streamed(c, next);
  };
}
