import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const EMBEDDING_DIMS = 256;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Deterministic embedding: a normalised hashed bag of words, so shared words mean similarity. */
export function hashedBagOfWords(text: string): number[] {
  const vector = new Array<number>(EMBEDDING_DIMS).fill(0);
  for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) vector[fnv1a(token) % EMBEDDING_DIMS]! += 1;
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
  return vector.map((x) => x / norm);
}

/**
 * The facts mem0ai/oss's additive extraction prompt should yield: each user message of the
 * "## New Messages" section, verbatim. Any other prompt extracts nothing.
 */
export function extractFacts(prompt: string): Array<{ text: string }> {
  const section = /## New Messages\n([\s\S]*?)\n\n## Observation Date/.exec(prompt)?.[1];
  if (section === undefined) return [];
  return section
    .split('\n')
    .filter((line) => line.startsWith('user: '))
    .map((line) => ({ text: line.slice('user: '.length) }));
}

/** A local OpenAI-compatible server (embeddings and chat completions) with deterministic replies. */
export class OpenAICompatibleServer {
  readonly calls: Array<{ path: string; body: unknown }> = [];
  private readonly server: Server;
  url = '';

  constructor() {
    this.server = createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      this.calls.push({ path: request.url ?? '', body });
      const reply = (status: number, payload: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(payload));
      };
      if (request.url === '/v1/embeddings') {
        const inputs = Array.isArray(body.input) ? (body.input as string[]) : [body.input as string];
        return reply(200, {
          object: 'list',
          model: body.model,
          data: inputs.map((input, index) => ({ object: 'embedding', index, embedding: hashedBagOfWords(input) })),
          usage: { prompt_tokens: 0, total_tokens: 0 },
        });
      }
      if (request.url === '/v1/chat/completions') {
        const messages = body.messages as Array<{ role: string; content: string }>;
        // The system prompt describes the sections; the user prompt carries them.
        const prompt = messages.filter((message) => message.role === 'user').map((message) => message.content).join('\n');
        return reply(200, {
          id: 'chatcmpl-local',
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [
            {
              index: 0,
              finish_reason: 'stop',
              message: { role: 'assistant', content: JSON.stringify({ memory: extractFacts(prompt) }) },
            },
          ],
          usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
        });
      }
      reply(404, { error: { message: `no route ${request.url}` } });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The spec's self-hosted config shape, pointed at the local server with in-memory stores. */
export function localSelfHostedConfig(baseUrl: string) {
  return {
    vector_store: { provider: 'memory', config: { collection_name: 'conformance', dimension: EMBEDDING_DIMS, db_path: ':memory:' } },
    llm: { provider: 'openai', config: { api_key: 'local', base_url: baseUrl, model: 'local-extractor' } },
    embedder: { provider: 'openai', config: { api_key: 'local', base_url: baseUrl, model: 'local-embedder', embedding_dims: EMBEDDING_DIMS } },
    history_store: { provider: 'memory', config: {} },
  };
}
