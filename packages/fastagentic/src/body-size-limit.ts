import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

export interface BodySizeLimitOptions {
  maxSize: number;
  onError: (c: Context) => Response | Promise<Response>;
}

/** How long a refused body's rest is read before the 413 goes out anyway. */
const DISCARD_WAIT_MS = 5000;
/** How much of a refused body's rest is read, in multiples of the limit. */
const DISCARD_LIMITS = 4;

/**
 * Reads and drops at most `limit` more bytes of the body, for at most 5 s; true when the body
 * ended within them. A reply while the client is still sending makes clients report a broken
 * connection instead of the 413, so a modest rest is read; a larger or slower one (an endless
 * chunked body) is not waited for.
 */
async function discardUpTo(body: ReadableStream<Uint8Array> | null, limit: number): Promise<boolean> {
  if (body === null) return true;
  if (body.locked) return false;
  const reader = body.getReader();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), DISCARD_WAIT_MS)));
  let read = 0;
  try {
    while (read <= limit) {
      const chunk = await Promise.race([reader.read(), late]);
      if (chunk === 'late') return false;
      if (chunk.done) return true;
      read += chunk.value.length;
    }
    return false;
  } catch {
    // The client went away: nothing left to read.
    return true;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Hono's bodyLimit without touching the body when Content-Length states its size. Reading
 * `c.req.raw.body` makes @hono/node-server wrap the Node stream in a full web Request (headers
 * copied, a ReadableStream, an AbortController): CPU on every request, and memory held until the
 * connection's next request. A stated length is what the runtime's HTTP parser holds the body to,
 * so it is checked alone; a body without one is still counted as it streams in.
 */
export function bodySizeLimit(options: BodySizeLimitOptions): MiddlewareHandler {
  // Answered as soon as the limit is passed; the connection is closed when the rest stays unread.
  const refuse = async (c: Context) => {
    const drained = await discardUpTo(c.req.raw.body, DISCARD_LIMITS * options.maxSize);
    const response = await options.onError(c);
    if (!drained) response.headers.set('Connection', 'close');
    return response;
  };
  const streamed = bodyLimit({ maxSize: options.maxSize, onError: refuse });
  return async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > options.maxSize) return refuse(c);
      await next();
      return;
    }
    return streamed(c, next);
  };
}
