import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type * as IoredisModule from 'ioredis';

// Loaded through Node's require: the workers pool's global setup resolves imports with worker
// conditions, under which the Node-only ioredis does not load.
const { Redis } = createRequire(import.meta.url)('ioredis') as typeof IoredisModule;

/** One request as the client sent it, kept so tests can show what @upstash/redis puts on the wire. */
export interface CapturedRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface UpstashRestServer {
  url: string;
  token: string;
  requests: CapturedRequest[];
  close(): Promise<void>;
}

type Reply = Buffer | string | number | null | Reply[];

/**
 * A local stand-in for Upstash's REST API in front of a real Redis: POST / runs one command
 * given as a JSON array, /pipeline runs several, /multi-exec runs them in MULTI/EXEC. A bearer
 * token is required. With `Upstash-Encoding: base64` (what @upstash/redis sends by default),
 * bulk strings are base64 in the JSON reply; status replies such as OK stay plain.
 */
export async function startUpstashRestServer(redisUrl: string, token = 'local-test-token'): Promise<UpstashRestServer> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const requests: CapturedRequest[] = [];

  const encode = (reply: Reply, base64: boolean): unknown => {
    if (Array.isArray(reply)) return reply.map((item) => encode(item, base64));
    if (Buffer.isBuffer(reply)) {
      // Upstash sends the status reply OK unencoded. ioredis cannot tell it from a bulk "OK",
      // and the client reads a plain "OK" as OK either way.
      const text = reply.toString('utf8');
      return base64 && text !== 'OK' ? reply.toString('base64') : text;
    }
    return reply;
  };

  const runOne = async (command: unknown[]): Promise<Reply> => {
    const [name, ...args] = command.map(String);
    return (await redis.callBuffer(name!, ...args)) as Reply;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '/';
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown;
    requests.push({ path, headers: request.headers, body });
    const send = (status: number, payload: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(payload));
    };
    if (request.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'Unauthorized' });
    const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
    const fail = (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) });

    if (path === '/' && request.method === 'POST' && Array.isArray(body)) {
      try {
        return send(200, { result: encode(await runOne(body), base64) });
      } catch (error) {
        return send(400, fail(error));
      }
    }
    if ((path === '/pipeline' || path === '/multi-exec') && Array.isArray(body)) {
      const commands = body as unknown[][];
      const batch = path === '/pipeline' ? redis.pipeline() : redis.multi();
      for (const command of commands) {
        const [name, ...args] = command.map(String);
        batch.callBuffer(name!, ...args);
      }
      const results = (await batch.exec()) ?? [];
      return send(
        200,
        results.map(([error, reply]) => (error ? fail(error) : { result: encode(reply as Reply, base64) })),
      );
    }
    return send(404, { error: `unknown path ${path}` });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis.quit();
    },
  };
}
