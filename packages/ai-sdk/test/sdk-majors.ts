import * as ai6 from 'ai';
import * as ai6Test from 'ai/test';
import * as ai5 from 'ai5';
import * as ai5Test from 'ai5/test';
import { z } from 'zod';
import type { MemoryMiddleware } from '../src/index.js';

/** A mock model of either major, with the call options it received (after the middleware). */
export interface RecordedModel {
  doGenerateCalls: { prompt: unknown[] }[];
  doStreamCalls: { prompt: unknown[] }[];
}

export interface StreamScript {
  deltas: string[];
  /** End with an error part instead of a finish part. */
  fail?: boolean;
  /** Wait this long before each part, so a reader can cancel mid-stream. */
  delayMs?: number;
}

/** Each AI SDK major behind one shape, so every test runs on both with the SDK's real generateText and streamText. */
export interface SdkMajor {
  name: string;
  textModel(replies: string[]): RecordedModel;
  /** First a call of the `weather` tool, then the reply: a two-step tool loop. */
  toolLoopModel(reply: string): RecordedModel;
  streamModel(script: StreamScript): RecordedModel;
  failingModel(error: Error): RecordedModel;
  wrap(model: RecordedModel, middleware: MemoryMiddleware): unknown;
  generateText(options: CallInput): Promise<{ text: string; stepCount: number }>;
  /** Reads the whole stream; `abortAfter` aborts the call (its `abortSignal`) after that many text chunks. */
  streamText(options: CallInput & { abortAfter?: number }): Promise<{ chunks: string[]; error?: unknown }>;
  embeddingModel(vectors: (text: string) => number[], maxEmbeddingsPerCall?: number): unknown;
}

export interface CallInput {
  model: unknown;
  prompt?: string;
  messages?: { role: 'user' | 'assistant'; content: string }[];
  system?: string;
  userId?: string;
  sessionId?: string;
  withWeatherTool?: boolean;
}

type V3StreamPart = Awaited<ReturnType<ai6Test.MockLanguageModelV3['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;
type V2StreamPart = Awaited<ReturnType<ai5Test.MockLanguageModelV2['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;
type V2Generate = Awaited<ReturnType<ai5Test.MockLanguageModelV2['doGenerate']>>;

const weatherInput = z.object({ city: z.string() });

function providerOptions(input: CallInput) {
  if (input.userId === undefined && input.sessionId === undefined) return undefined;
  const fastagentic: Record<string, string> = {};
  if (input.userId !== undefined) fastagentic.userId = input.userId;
  if (input.sessionId !== undefined) fastagentic.sessionId = input.sessionId;
  return { fastagentic };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Parts one by one; an aborted call errors the stream, as a provider's aborted fetch does. */
function scriptedStream<Part>(parts: Part[], delayMs: number, signal: AbortSignal | undefined): ReadableStream<Part> {
  let index = 0;
  return new ReadableStream<Part>({
    async pull(controller) {
      if (delayMs > 0) await sleep(delayMs);
      if (signal?.aborted) return controller.error(signal.reason);
      if (index < parts.length) controller.enqueue(parts[index++]!);
      else controller.close();
    },
  });
}

async function readStream(
  result: { textStream: AsyncIterable<string> },
  abort: { after: number | undefined; controller: AbortController },
  errors: unknown[],
): Promise<{ chunks: string[]; error?: unknown }> {
  const chunks: string[] = [];
  try {
    for await (const chunk of result.textStream) {
      chunks.push(chunk);
      if (abort.after !== undefined && chunks.length >= abort.after) abort.controller.abort();
    }
  } catch (error) {
    return { chunks, error };
  }
  return errors.length > 0 ? { chunks, error: errors[0] } : { chunks };
}

const usage6 = {
  inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
};

export const ai6Major: SdkMajor = {
  name: 'ai 6 (LanguageModelV3)',
  textModel: (replies) =>
    new ai6Test.MockLanguageModelV3({
      doGenerate: replies.map((text) => ({
        content: [{ type: 'text' as const, text }],
        finishReason: { unified: 'stop' as const, raw: 'stop' },
        usage: usage6,
        warnings: [],
      })),
    }) as unknown as RecordedModel,
  toolLoopModel: (reply) =>
    new ai6Test.MockLanguageModelV3({
      doGenerate: [
        {
          content: [
            { type: 'text' as const, text: 'Let me check.' },
            { type: 'tool-call' as const, toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Paris"}' },
          ],
          finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
          usage: usage6,
          warnings: [],
        },
        {
          content: [{ type: 'text' as const, text: reply }],
          finishReason: { unified: 'stop' as const, raw: 'stop' },
          usage: usage6,
          warnings: [],
        },
      ],
    }) as unknown as RecordedModel,
  streamModel: ({ deltas, fail, delayMs = 0 }) =>
    new ai6Test.MockLanguageModelV3({
      doStream: async ({ abortSignal }) => ({
        stream: scriptedStream<V3StreamPart>(
          [
            { type: 'stream-start', warnings: [] },
            { type: 'text-start', id: 't' },
            ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
            { type: 'text-end', id: 't' },
            fail
              ? { type: 'error', error: new Error('the model broke off') }
              : { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage6 },
          ],
          delayMs,
          abortSignal,
        ),
      }),
    }) as unknown as RecordedModel,
  failingModel: (error) =>
    new ai6Test.MockLanguageModelV3({
      doGenerate: async () => {
        throw error;
      },
      doStream: async () => {
        throw error;
      },
    }) as unknown as RecordedModel,
  wrap: (model, middleware) => ai6.wrapLanguageModel({ model: model as unknown as ai6.LanguageModel & ai6Test.MockLanguageModelV3, middleware }),
  async generateText(input) {
    const result = await ai6.generateText({
      model: input.model as ai6Test.MockLanguageModelV3,
      ...(input.messages ? { messages: input.messages } : { prompt: input.prompt ?? '' }),
      ...(input.system ? { system: input.system } : {}),
      providerOptions: providerOptions(input),
      maxRetries: 0,
      ...(input.withWeatherTool
        ? {
            tools: { weather: ai6.tool({ inputSchema: weatherInput, execute: async ({ city }) => `Sunny in ${city}` }) },
            stopWhen: ai6.stepCountIs(5),
          }
        : {}),
    });
    return { text: result.text, stepCount: result.steps.length };
  },
  async streamText(input) {
    const errors: unknown[] = [];
    const controller = new AbortController();
    const result = ai6.streamText({
      model: input.model as ai6Test.MockLanguageModelV3,
      ...(input.messages ? { messages: input.messages } : { prompt: input.prompt ?? '' }),
      providerOptions: providerOptions(input),
      maxRetries: 0,
      abortSignal: controller.signal,
      onError: ({ error }) => void errors.push(error),
    });
    return readStream(result, { after: input.abortAfter, controller }, errors);
  },
  embeddingModel: (vectors, maxEmbeddingsPerCall) =>
    new ai6Test.MockEmbeddingModelV3({
      maxEmbeddingsPerCall,
      doEmbed: async ({ values }) => ({ embeddings: values.map(vectors), warnings: [] }),
    }),
};

const usage5 = { inputTokens: 3, outputTokens: 5, totalTokens: 8 };

export const ai5Major: SdkMajor = {
  name: 'ai 5 (LanguageModelV2)',
  textModel: (replies) =>
    sequenceV2(replies.map((text) => ({ content: [{ type: 'text', text }], finishReason: 'stop' }))),
  toolLoopModel: (reply) =>
    sequenceV2([
      {
        content: [
          { type: 'text', text: 'Let me check.' },
          { type: 'tool-call', toolCallId: 'call-1', toolName: 'weather', input: '{"city":"Paris"}' },
        ],
        finishReason: 'tool-calls',
      },
      { content: [{ type: 'text', text: reply }], finishReason: 'stop' },
    ]),
  streamModel: ({ deltas, fail, delayMs = 0 }) =>
    new ai5Test.MockLanguageModelV2({
      doStream: async ({ abortSignal }) => ({
        stream: scriptedStream<V2StreamPart>(
          [
            { type: 'stream-start', warnings: [] },
            { type: 'text-start', id: 't' },
            ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
            { type: 'text-end', id: 't' },
            fail ? { type: 'error', error: new Error('the model broke off') } : { type: 'finish', finishReason: 'stop', usage: usage5 },
          ],
          delayMs,
          abortSignal,
        ),
      }),
    }) as unknown as RecordedModel,
  failingModel: (error) =>
    new ai5Test.MockLanguageModelV2({
      doGenerate: async () => {
        throw error;
      },
      doStream: async () => {
        throw error;
      },
    }) as unknown as RecordedModel,
  wrap: (model, middleware) => ai5.wrapLanguageModel({ model: model as unknown as ai5Test.MockLanguageModelV2, middleware }),
  async generateText(input) {
    const result = await ai5.generateText({
      model: input.model as ai5Test.MockLanguageModelV2,
      ...(input.messages ? { messages: input.messages } : { prompt: input.prompt ?? '' }),
      ...(input.system ? { system: input.system } : {}),
      providerOptions: providerOptions(input),
      maxRetries: 0,
      ...(input.withWeatherTool
        ? {
            tools: { weather: ai5.tool({ inputSchema: weatherInput, execute: async ({ city }) => `Sunny in ${city}` }) },
            stopWhen: ai5.stepCountIs(5),
          }
        : {}),
    });
    return { text: result.text, stepCount: result.steps.length };
  },
  async streamText(input) {
    const errors: unknown[] = [];
    const controller = new AbortController();
    const result = ai5.streamText({
      model: input.model as ai5Test.MockLanguageModelV2,
      ...(input.messages ? { messages: input.messages } : { prompt: input.prompt ?? '' }),
      providerOptions: providerOptions(input),
      maxRetries: 0,
      abortSignal: controller.signal,
      onError: ({ error }) => void errors.push(error),
    });
    return readStream(result, { after: input.abortAfter, controller }, errors);
  },
  embeddingModel: (vectors, maxEmbeddingsPerCall) =>
    new ai5Test.MockEmbeddingModelV2<string>({
      maxEmbeddingsPerCall,
      doEmbed: async ({ values }) => ({ embeddings: values.map(vectors) }),
    }),
};

/** ai 5's mock takes one result; this one answers each call with the next. */
function sequenceV2(results: { content: V2Generate['content']; finishReason: V2Generate['finishReason'] }[]): RecordedModel {
  let call = 0;
  return new ai5Test.MockLanguageModelV2({
    doGenerate: async () => ({ ...results[Math.min(call++, results.length - 1)]!, usage: usage5, warnings: [] }),
  }) as unknown as RecordedModel;
}

export const SDK_MAJORS: SdkMajor[] = [ai6Major, ai5Major];
