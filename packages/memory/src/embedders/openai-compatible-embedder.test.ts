/// <reference types="node" />
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryProvider } from '../in-memory/in-memory-provider.js';
import { MemoryConfigurationError, ProviderUnavailableError } from '../spec/memory-error.js';
import { OpenAICompatibleEmbedder } from './openai-compatible-embedder.js';

// A real local server speaking OpenAI's embeddings API. Vectors are a deterministic bag of
// concepts, so texts about the same topic point the same way without sharing words.
const CONCEPTS: Record<string, number> = { coffee: 0, espresso: 0, latte: 0, dog: 1, puppy: 1, hound: 1, rain: 2, storm: 2 };
function embedText(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0.01);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const concept = CONCEPTS[word];
    if (concept !== undefined) vector[concept]! += 1;
  }
  return vector;
}

interface Seen {
  authorization: string | undefined;
  body: { model: string; input: string[]; dimensions?: number };
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

let server: Server;
let baseURL: string;
const seen: Seen[] = [];
let failNext: number | undefined;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = (await readJson(request)) as Seen['body'];
    seen.push({ authorization: request.headers.authorization, body });
    if (request.url !== '/v1/embeddings') return void response.writeHead(404).end();
    if (failNext !== undefined) {
      response.writeHead(failNext, { 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}');
      failNext = undefined;
      return;
    }
    const dimensions = body.dimensions ?? 8;
    const data = body.input.map((text, index) => ({ object: 'embedding', index, embedding: embedText(text, dimensions) }));
    // Out of order on purpose: clients must sort by index.
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: data.reverse(), model: body.model }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('OpenAICompatibleEmbedder', () => {
  it('posts model, input and dimensions with a bearer key, and returns vectors in input order', async () => {
    const embedder = new OpenAICompatibleEmbedder({ baseURL, apiKey: 'sk-test', model: 'nomic-embed-text', dimensions: 4 });
    const vectors = await embedder.embed(['coffee', 'dog', 'rain']);
    expect(vectors.map((vector) => vector.indexOf(Math.max(...vector)))).toEqual([0, 1, 2]);
    const last = seen.at(-1)!;
    expect(last.authorization).toBe('Bearer sk-test');
    expect(last.body).toEqual({ model: 'nomic-embed-text', input: ['coffee', 'dog', 'rain'], dimensions: 4 });
    // What stores record beside each vector, to never compare vectors of two models.
    expect([embedder.modelId, embedder.dimensions]).toEqual(['nomic-embed-text', 4]);
  });

  it('splits large inputs into batches', async () => {
    const before = seen.length;
    const embedder = new OpenAICompatibleEmbedder({ baseURL, batchSize: 2 });
    expect(await embedder.embed(['a', 'b', 'c', 'd', 'e'])).toHaveLength(5);
    expect(seen.slice(before).map((request) => request.body.input.length)).toEqual([2, 2, 1]);
    expect(seen.at(-1)!.authorization).toBeUndefined();
  });

  it('maps HTTP failures and dimension mismatches to typed errors', async () => {
    const embedder = new OpenAICompatibleEmbedder({ baseURL });
    failNext = 429;
    const limited = await embedder.embed(['x']).catch((error: unknown) => error);
    expect(ProviderUnavailableError.isInstance(limited)).toBe(true);
    expect((limited as ProviderUnavailableError).isRetryable).toBe(true);
    expect((limited as ProviderUnavailableError).statusCode).toBe(429);
    failNext = 400;
    expect(((await embedder.embed(['x']).catch((e: unknown) => e)) as ProviderUnavailableError).isRetryable).toBe(false);
    // The server honours `dimensions`; a fetch that rewrites the request makes it answer with 5.
    const wrongSize = new OpenAICompatibleEmbedder({
      baseURL,
      dimensions: 3,
      fetch: (input, init) => fetch(input, { ...init, body: (init!.body as string).replace('"dimensions":3', '"dimensions":5') }),
    });
    await expect(wrongSize.embed(['x'])).rejects.toThrow(/5 dimensions, configured for 3/);
    const unreachable = new OpenAICompatibleEmbedder({ baseURL: 'http://127.0.0.1:1/v1' });
    const down = await unreachable.embed(['x']).catch((error: unknown) => error);
    expect((down as ProviderUnavailableError).isRetryable).toBe(true);
  });

  it('rejects bad configuration by option name', () => {
    expect(() => new OpenAICompatibleEmbedder({ baseURL: 'not a url' })).toThrow(MemoryConfigurationError);
    expect(() => new OpenAICompatibleEmbedder({ dimensions: 0 })).toThrow(/dimensions/);
  });

  it('gives InMemoryProvider semantic search: meaning matches without shared words', async () => {
    const provider = new InMemoryProvider({ embedder: new OpenAICompatibleEmbedder({ baseURL, dimensions: 8 }) });
    expect(provider.capabilities.semanticSearch).toBe(true);
    await provider.add('u', [{ role: 'user', content: 'Drinks an espresso every day' }]);
    await provider.add('u', [{ role: 'user', content: 'Adopted a puppy last week' }]);
    await provider.add('other', [{ role: 'user', content: 'Loves a latte' }]);
    const results = await provider.search('u', 'coffee', { minRelevance: 0.9 });
    expect(results.map((memory) => memory.memory)).toEqual(['Drinks an espresso every day']);
    expect(results[0]!.score).toBeGreaterThan(0.9);
    const hound = await provider.search('u', 'hound', { limit: 1 });
    expect(hound[0]!.memory).toBe('Adopted a puppy last week');
  });
});
