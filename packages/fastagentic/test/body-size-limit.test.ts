import { InMemoryProvider } from '@fastagentic/memory';
import { serve } from '@hono/node-server';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { SECRET, tokenFor } from './helpers.js';

const memory = new InMemoryProvider();
const app = new App({ title: 't', memory, auth: { secret: SECRET }, maxBodyBytes: 1024 });
let server: ReturnType<typeof serve>;
let port: number;
let token: string;

beforeAll(async () => {
  token = await tokenFor({ sub: 'body-limit' });
  server = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** POST /memories over real HTTP: the body in the chunks given, with Content-Length or chunked. */
function postChunks(chunks: string[], framing: 'content-length' | 'chunked'): Promise<{ status: number; body: any }> {
  const size = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk), 0);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/memories',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(framing === 'content-length' ? { 'content-length': size } : { 'transfer-encoding': 'chunked' }),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString('utf8')) }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('the body limit on Node', () => {
  it('refuses a body whose Content-Length is over the limit with 413 naming the body', async () => {
    const response = await postChunks([JSON.stringify({ content: 'x'.repeat(2_000) })], 'content-length');
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({ type: 'payload_too_large', field: 'body' });
  });

  it('counts a chunked body as it arrives: over the limit is 413, under it is stored', async () => {
    const big = JSON.stringify({ content: 'y'.repeat(3_000) });
    const over = await postChunks([big.slice(0, 1_000), big.slice(1_000, 2_000), big.slice(2_000)], 'chunked');
    expect(over.status).toBe(413);
    expect(over.body.error).toMatchObject({ type: 'payload_too_large', field: 'body' });
    const small = JSON.stringify({ content: 'streamed in two chunks' });
    const under = await postChunks([small.slice(0, 10), small.slice(10)], 'chunked');
    expect(under.status).toBe(201);
    const stated = await postChunks([JSON.stringify({ content: 'sent with its length' })], 'content-length');
    expect(stated.status).toBe(201);
    const stored = (await memory.getAll('body-limit')).memories.map((entry) => entry.memory).sort();
    expect(stored).toEqual(['sent with its length', 'streamed in two chunks']);
  });
});

/** Sends `head`, then `tail` every 50 ms for as long as the test lasts, and never ends the body. */
function postEndless(headers: Record<string, string | number>, head: string): Promise<{ status: number; body: any; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/memories', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => {
          clearInterval(trickle);
          req.destroy();
          resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString('utf8')), connection: res.headers.connection });
        });
      },
    );
    req.on('error', (error) => {
      clearInterval(trickle);
      reject(error);
    });
    req.write(head);
    const trickle = setInterval(() => req.write('x'.repeat(100)), 50);
  });
}

describe('the body limit does not wait for the whole body', () => {
  it('answers 413 to a body that states a huge Content-Length and never finishes', async () => {
    const response = await postEndless({ 'content-length': 100 * 1024 * 1024 }, '{"content":"');
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({ type: 'payload_too_large', field: 'body' });
    expect(response.connection).toBe('close');
  }, 20_000);

  it('answers 413 to an endless chunked body once it passes the limit', async () => {
    const response = await postEndless({ 'transfer-encoding': 'chunked' }, `{"content":"${'y'.repeat(2_000)}`);
    expect(response.status).toBe(413);
    expect(response.body.error).toMatchObject({ type: 'payload_too_large', field: 'body' });
    expect(response.connection).toBe('close');
  }, 20_000);
});
