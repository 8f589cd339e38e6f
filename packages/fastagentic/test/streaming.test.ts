import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { frameMemoryContext, InMemoryProvider, injectMemory } from '@fastagentic/memory';
import { serve, type ServerType } from '@hono/node-server';
import { DefaultChatTransport, readUIMessageStream, type UIMessage } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { DefaultChatTransport as DefaultChatTransport5, readUIMessageStream as readUIMessageStream5 } from 'ai5';
import { afterEach, describe, expect, it } from 'vitest';
import { aiSdkRunnable } from '../src/ai-sdk-runnable.js';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import type { Runnable } from '../src/runnable.js';
import { recordingLogger, SECRET, tokenFor } from './helpers.js';

const usage = {
  inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

type StreamPart = Awaited<ReturnType<MockLanguageModelV3['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;

/** A model that streams `deltas` (one every `delayMs`), optionally failing after them; it records whether its stream was cancelled. */
function streamingModel(deltas: string[], options: { delayMs?: number; fail?: boolean } = {}) {
  const state = { cancelled: false, aborted: false };
  const model = new MockLanguageModelV3({
    doGenerate: async () => ({
      content: [{ type: 'text', text: deltas.join('') }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage,
      warnings: [],
    }),
    doStream: async ({ abortSignal }) => {
      abortSignal?.addEventListener('abort', () => (state.aborted = true));
      const parts: StreamPart[] = [
        { type: 'stream-start', warnings: [] },
        { type: 'text-start', id: 't' },
        ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
        { type: 'text-end', id: 't' },
        options.fail
          ? { type: 'error', error: new Error('the model broke off') }
          : { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
      ];
      let index = 0;
      return {
        stream: new ReadableStream<StreamPart>({
          async pull(controller) {
            if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
            if (index < parts.length) controller.enqueue(parts[index++]!);
            else controller.close();
          },
          cancel() {
            state.cancelled = true;
          },
        }),
      };
    },
  });
  return { model, state };
}

const servers: ServerType[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.close(resolve);
          // Idle keep-alive connections would hold close() for seconds.
          (server as Server).closeAllConnections();
        }),
    ),
  );
});

async function listen(app: App): Promise<string> {
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function chatApp(runnable: Runnable) {
  const memory = new InMemoryProvider();
  await memory.add('alice', [{ role: 'user', content: 'I am vegetarian' }]);
  await memory.add('bob', [{ role: 'user', content: 'I eat steak, vegetarian food bores me' }]);
  const { logger, lines } = recordingLogger();
  // The raw exchange path (formation: false): these tests are about when a streamed reply is stored.
  const app = new App({ title: 't', memory, auth: { secret: SECRET }, logger, formation: false });
  app.agentEndpoint({ path: '/chat', runnable, memory: injectMemory({ strategy: 'relevant' }) });
  return { app, memory, lines, url: await listen(app) };
}

/** The events of a Server-Sent Events body, in order. */
function parseEvents(text: string): { event: string; data: any }[] {
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      return { event, data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) };
    });
}

async function stored(memory: InMemoryProvider, userId: string): Promise<string[]> {
  return (await memory.getAll(userId)).memories.map((memory) => memory.memory);
}

function promptOf(model: MockLanguageModelV3, kind: 'generate' | 'stream' = 'stream') {
  return (kind === 'stream' ? model.doStreamCalls : model.doGenerateCalls)[0]!.prompt;
}

describe('aiSdkRunnable and streamed replies over HTTP', () => {
  it('answers JSON with the model’s reply, the memories in its system message, and stores the exchange', async () => {
    const { model } = streamingModel(['Try ', 'dal.']);
    const { app, memory, url } = await chatApp(aiSdkRunnable(model, { systemPrompt: 'You are a chef.' }));

    const response = await fetch(`${url}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor({ sub: 'alice' })}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'vegetarian dinner?' }),
    });
    const body = (await response.json()) as { reply: string; memories: { memory: string }[] };
    await app.drain();

    expect(body.reply).toBe('Try dal.');
    expect(body.memories.map((m) => m.memory)).toEqual(['I am vegetarian']);
    expect(promptOf(model, 'generate')[0]).toEqual({
      role: 'system',
      content: `You are a chef.\n\n${frameMemoryContext(['Relevant memories about the user:\n- I am vegetarian'])}`,
    });
    expect((await stored(memory, 'alice'))[0]).toBe('user: vegetarian dinner?\nassistant: Try dal.');
  });

  it('streams Server-Sent Events: the injected memories first, then the deltas; stores the reply once finished', async () => {
    const { model } = streamingModel(['Try ', 'a chana ', 'masala.']);
    const { app, memory, url } = await chatApp(aiSdkRunnable(model));

    const response = await fetch(`${url}/chat`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await tokenFor({ sub: 'alice' })}`,
        'content-type': 'application/json',
        accept: 'text/event-stream',
      },
      body: JSON.stringify({ message: 'vegetarian dinner?' }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = parseEvents(await response.text());
    await app.drain();

    expect(events.map((event) => event.event)).toEqual(['memories', 'delta', 'delta', 'delta', 'done']);
    expect(events[0]!.data.memories.map((m: { memory: string }) => m.memory)).toEqual(['I am vegetarian']);
    expect(events[0]!.data.memoryAvailable).toBe(true);
    expect(events.slice(1, 4).map((event) => event.data.text).join('')).toBe('Try a chana masala.');
    expect(events[4]!.data).toEqual({ reply: 'Try a chana masala.', remembered: true });
    expect(JSON.stringify(promptOf(model))).toContain('I am vegetarian');
    expect((await stored(memory, 'alice'))[0]).toBe('user: vegetarian dinner?\nassistant: Try a chana masala.');
    expect((await stored(memory, 'bob')).join()).not.toContain('chana');
  });

  it('streams a runnable without streaming support as one delta', async () => {
    const { app, url } = await chatApp(new OfflineRunnable());
    const response = await fetch(`${url}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor({ sub: 'bob' })}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'vegetarian?' }),
    });
    const events = parseEvents(await response.text());
    await app.drain();
    expect(events.map((event) => event.event)).toEqual(['memories', 'delta', 'done']);
    expect(events[1]!.data.text).toBe('You told me you eat steak, vegetarian food bores you.');
  });

  it('stores nothing when the client disconnects mid-stream, and stops the model', async () => {
    const { model, state } = streamingModel(Array.from({ length: 50 }, (_, i) => `word${i} `), { delayMs: 20 });
    const { app, memory, url } = await chatApp(aiSdkRunnable(model));
    const client = new AbortController();
    const response = await fetch(`${url}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor({ sub: 'alice' })}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'vegetarian dinner?' }),
      signal: client.signal,
    });
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('event: delta')) received += new TextDecoder().decode((await reader.read()).value);
    client.abort();
    await reader.cancel().catch(() => undefined);
    // Long enough for the rest of the reply (50 x 20 ms) had the server kept going.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await app.drain();

    expect(state.cancelled || state.aborted).toBe(true);
    expect(await stored(memory, 'alice')).toEqual(['I am vegetarian']);
  });

  it('sends an error event and stores nothing when the model fails mid-stream', async () => {
    const { model } = streamingModel(['Try '], { fail: true });
    const { app, memory, url, lines } = await chatApp(aiSdkRunnable(model));

    const response = await fetch(`${url}/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await tokenFor({ sub: 'alice' })}`, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ message: 'vegetarian dinner?' }),
    });
    const events = parseEvents(await response.text());
    await app.drain();

    expect(events.map((event) => event.event)).toEqual(['memories', 'delta', 'error']);
    expect(events[2]!.data.error.type).toBe('provider_unavailable');
    expect(lines.map((line) => line.message)).toContain('streamed reply failed');
    expect(await stored(memory, 'alice')).toEqual(['I am vegetarian']);
  });

  /** One useChat turn through each major's own transport and stream reader: the assistant message it builds. */
  const transports: { name: string; chat(api: string, token: string, messages: UIMessage[]): Promise<UIMessage | undefined> }[] = [
    {
      name: 'ai 6',
      async chat(api, token, messages) {
        const transport = new DefaultChatTransport({ api, headers: { authorization: `Bearer ${token}` } });
        const stream = await transport.sendMessages({ chatId: 'chat-1', messages, trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
        let last: UIMessage | undefined;
        for await (const message of readUIMessageStream({ stream, terminateOnError: true })) last = message;
        return last;
      },
    },
    {
      name: 'ai 5',
      async chat(api, token, messages) {
        const transport = new DefaultChatTransport5({ api, headers: { authorization: `Bearer ${token}` } });
        const stream = await transport.sendMessages({ chatId: 'chat-1', messages: messages as never, trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
        let last: UIMessage | undefined;
        for await (const message of readUIMessageStream5({ stream, terminateOnError: true })) last = message as unknown as UIMessage;
        return last;
      },
    },
  ];
  it.each(transports)('speaks the UI message stream to the AI SDK’s useChat transport ($name)', async ({ chat }) => {
    const { model } = streamingModel(['Try ', 'a chana ', 'masala.']);
    const { app, memory, url } = await chatApp(aiSdkRunnable(model));
    const messages: UIMessage[] = [
      { id: 'm1', role: 'user', parts: [{ type: 'text', text: 'Hello' }] },
      { id: 'm2', role: 'assistant', parts: [{ type: 'text', text: 'Hi!' }] },
      { id: 'm3', role: 'user', parts: [{ type: 'text', text: 'vegetarian dinner?' }] },
    ];

    const last = await chat(`${url}/chat`, await tokenFor({ sub: 'alice' }), messages);
    await app.drain();

    expect(last!.role).toBe('assistant');
    expect(last!.parts.filter((part) => part.type === 'text').map((part) => (part as { text: string }).text).join('')).toBe('Try a chana masala.');
    expect((last!.metadata as { memories: { memory: string }[] }).memories.map((m) => m.memory)).toEqual(['I am vegetarian']);
    // Only the last user message is the turn: the client's history is not trusted as memory.
    expect((await stored(memory, 'alice'))[0]).toBe('user: vegetarian dinner?\nassistant: Try a chana masala.');
  });
});
