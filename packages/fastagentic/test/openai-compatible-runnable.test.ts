import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemoryProvider, injectMemory, ProviderUnavailableError } from '@fastagentic/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App } from '../src/app.js';
import { OpenAICompatibleRunnable } from '../src/openai-compatible-runnable.js';
import { post, SECRET, tokenFor } from './helpers.js';

interface Captured {
  path: string;
  authorization: string | undefined;
  body: { model: string; messages: { role: string; content: string }[] };
}

describe('OpenAICompatibleRunnable against a local chat server', () => {
  let server: Server;
  let baseUrl: string;
  const captured: Captured[] = [];
  let nextStatus = 200;

  const readBody = async (request: IncomingMessage) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return JSON.parse(text);
  };

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      captured.push({ path: request.url!, authorization: request.headers.authorization, body });
      response.statusCode = nextStatus;
      response.setHeader('content-type', 'application/json');
      const last = body.messages.at(-1).content;
      response.end(
        nextStatus === 200
          ? JSON.stringify({ id: 'c1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: `model saw: ${last}` } }] })
          : JSON.stringify({ error: { message: 'rate limited' } }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the injected memories as the system message and returns the reply', async () => {
    const memory = new InMemoryProvider();
    await memory.add('u1', [{ role: 'user', content: 'I am vegetarian' }]);
    const runnable = new OpenAICompatibleRunnable({ baseUrl, model: 'local-model', apiKey: 'k-test', systemPrompt: 'Be brief.' });
    const app = new App({ title: 't', memory, auth: { secret: SECRET } });
    app.agentEndpoint({ path: '/chat', runnable, memory: injectMemory({ strategy: 'all' }) });

    const response = await post(app, '/chat', await tokenFor({ sub: 'u1' }), { message: 'What should I cook?' });
    expect(response.body.reply).toBe('model saw: What should I cook?');
    const request = captured.at(-1)!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.authorization).toBe('Bearer k-test');
    expect(request.body).toEqual({
      model: 'local-model',
      messages: [
        { role: 'system', content: 'Be brief.\n\nRelevant memories about the user:\n- I am vegetarian' },
        { role: 'user', content: 'What should I cook?' },
      ],
    });
    await app.drain();
  });

  it('reports an API error as a ProviderUnavailableError with the status', async () => {
    nextStatus = 429;
    const runnable = new OpenAICompatibleRunnable({ baseUrl, model: 'local-model' });
    const failure = await runnable
      .run({ messages: [{ role: 'user', content: 'hi' }], memories: [], sessionMemories: [], memoryContext: '' })
      .catch((error: unknown) => error);
    nextStatus = 200;
    expect(ProviderUnavailableError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ statusCode: 429, isRetryable: true });
    expect(captured.at(-1)!.authorization).toBeUndefined();
  });
});
