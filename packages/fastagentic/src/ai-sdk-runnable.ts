import { MemoryConfigurationError, ProviderUnavailableError } from '@fastagentic/memory';
import type { Runnable, RunnableInput } from './runnable.js';

type TextPart = { type: 'text'; text: string };
type JsonValue = null | string | number | boolean | JsonValue[] | { [key: string]: JsonValue };
type ProviderOptions = Record<string, Record<string, JsonValue>>;
type ModelMessage = { role: 'system'; content: string } | { role: 'user' | 'assistant'; content: TextPart[] };

interface ModelCallOptions {
  prompt: ModelMessage[];
  abortSignal?: AbortSignal;
  maxOutputTokens?: number;
  temperature?: number;
  providerOptions?: ProviderOptions;
}

/**
 * What the runnable uses of an AI SDK language model: LanguageModelV2 (`ai` 5) and V3 (`ai` 6)
 * both fit, e.g. `openai('gpt-4o-mini')`, `anthropic(...)`, `ollama(...)` or a model made with
 * `wrapLanguageModel`.
 */
export interface LanguageModelShape {
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: ModelCallOptions): PromiseLike<{
    content: ReadonlyArray<{ type: string; text?: unknown }>;
    finishReason: string | { unified: string };
  }>;
  doStream(options: ModelCallOptions): PromiseLike<{ stream: ReadableStream<{ type: string }> }>;
}

export interface AiSdkRunnableOptions {
  /** Put before the memory context in the system message. */
  systemPrompt?: string;
  temperature?: number;
  maxOutputTokens?: number;
  /** Passed to the model as the call's `providerOptions`. */
  providerOptions?: ProviderOptions;
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}

/** Model failures as the App reports them: a 503 naming the model, retryable when the SDK says so. */
function unavailable(name: string, error: unknown): ProviderUnavailableError {
  if (ProviderUnavailableError.isInstance(error)) return error;
  const details = (typeof error === 'object' && error !== null ? error : {}) as { isRetryable?: unknown; statusCode?: unknown };
  return new ProviderUnavailableError(name, errorMessage(error), {
    isRetryable: details.isRetryable === true,
    ...(typeof details.statusCode === 'number' ? { statusCode: details.statusCode } : {}),
    cause: error,
  });
}

class AiSdkRunnable implements Runnable {
  readonly name: string;

  constructor(
    private readonly model: LanguageModelShape,
    private readonly options: AiSdkRunnableOptions,
  ) {
    this.name = `ai-sdk:${model.provider}/${model.modelId}`;
  }

  private callOptions(input: RunnableInput): ModelCallOptions {
    const system = [this.options.systemPrompt, input.memoryContext].filter(Boolean).join('\n\n');
    const prompt: ModelMessage[] = system ? [{ role: 'system', content: system }] : [];
    for (const message of input.messages) {
      if (message.role === 'system') prompt.push({ role: 'system', content: message.content });
      else prompt.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content: [{ type: 'text', text: message.content }] });
    }
    return {
      prompt,
      ...(input.signal ? { abortSignal: input.signal } : {}),
      ...(this.options.temperature !== undefined ? { temperature: this.options.temperature } : {}),
      ...(this.options.maxOutputTokens !== undefined ? { maxOutputTokens: this.options.maxOutputTokens } : {}),
      ...(this.options.providerOptions ? { providerOptions: this.options.providerOptions } : {}),
    };
  }

  async run(input: RunnableInput): Promise<string> {
    let result: Awaited<ReturnType<LanguageModelShape['doGenerate']>>;
    try {
      result = await this.model.doGenerate(this.callOptions(input));
    } catch (error) {
      throw unavailable(this.name, error);
    }
    let text = '';
    for (const part of result.content) if (part.type === 'text' && typeof part.text === 'string') text += part.text;
    return text;
  }

  async *stream(input: RunnableInput): AsyncGenerator<string> {
    let stream: ReadableStream<{ type: string }>;
    try {
      ({ stream } = await this.model.doStream(this.callOptions(input)));
    } catch (error) {
      throw unavailable(this.name, error);
    }
    const reader = stream.getReader();
    let finished = false;
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        if (value.type === 'text-delta') {
          const delta = (value as { delta?: unknown }).delta;
          if (typeof delta === 'string' && delta.length > 0) yield delta;
        } else if (value.type === 'error') {
          throw unavailable(this.name, (value as { error?: unknown }).error);
        }
      }
      finished = true;
    } catch (error) {
      throw unavailable(this.name, error);
    } finally {
      // The consumer stopped early (the client went away): stop the model's stream too.
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
}

/**
 * Runs an agent endpoint on any AI SDK language model, with the memories in the system message;
 * streams when the client asks for a streamed reply. No `ai` import: the model object is enough.
 */
export function aiSdkRunnable(model: LanguageModelShape, options: AiSdkRunnableOptions = {}): Runnable {
  if (!model || typeof model.doGenerate !== 'function' || typeof model.doStream !== 'function') {
    throw new MemoryConfigurationError('model', 'must be an AI SDK language model (LanguageModelV2 or V3), e.g. openai("gpt-4o-mini")');
  }
  return new AiSdkRunnable(model, options);
}
