import { MemoryConfigurationError, ProviderUnavailableError, type Message } from '@fastagentic/memory';
import type { Runnable, RunnableInput } from './runnable.js';

export interface OpenAICompatibleRunnableOptions {
  /** Base URL up to the version, e.g. `https://api.openai.com/v1` or a local server's `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer <apiKey>` when set (local servers often need none). */
  apiKey?: string;
  /** Put before the memory context in the system message. */
  systemPrompt?: string;
  temperature?: number;
  /** Gives up on the chat call after this long. Default 30 000. */
  timeoutMs?: number;
  /** The fetch to use; defaults to the global one. */
  fetch?: typeof fetch;
}

interface ChatCompletion {
  choices?: { message?: { content?: unknown } }[];
}

interface StreamChunk {
  choices?: { delta?: { content?: unknown } }[];
  error?: { message?: string };
}

/** Any OpenAI-compatible `/chat/completions` API, over fetch, with the memories in the system message; streams when asked. */
export class OpenAICompatibleRunnable implements Runnable {
  readonly name: string;
  private readonly options: OpenAICompatibleRunnableOptions;
  private readonly endpoint: string;

  constructor(options: OpenAICompatibleRunnableOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) {
      throw new MemoryConfigurationError('baseUrl', 'must be an http(s) URL such as https://api.openai.com/v1');
    }
    if (typeof options.model !== 'string' || options.model.length === 0) {
      throw new MemoryConfigurationError('model', 'must name the model');
    }
    this.options = options;
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.name = `openai-compatible:${options.model}`;
  }

  /** POSTs the chat call; `timeoutSignal` bounds it (the whole call for `run`, the wait for the response for `stream`). */
  private async request(input: RunnableInput, stream: boolean, timeoutSignal: AbortSignal): Promise<Response> {
    const system = [this.options.systemPrompt, input.memoryContext].filter(Boolean).join('\n\n');
    const messages: Message[] = system ? [{ role: 'system', content: system }, ...input.messages] : input.messages;
    const signal = input.signal ? AbortSignal.any([input.signal, timeoutSignal]) : timeoutSignal;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const body: Record<string, unknown> = { model: this.options.model, messages };
    if (this.options.temperature !== undefined) body.temperature = this.options.temperature;
    if (stream) body.stream = true;

    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal,
      });
    } catch (cause) {
      throw new ProviderUnavailableError(this.name, 'the chat API could not be reached', { isRetryable: true, cause });
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 200);
      throw new ProviderUnavailableError(this.name, `the chat API answered ${response.status} ${detail}`.trim(), {
        isRetryable: response.status === 429 || response.status >= 500,
        statusCode: response.status,
      });
    }
    return response;
  }

  async run(input: RunnableInput): Promise<string> {
    const response = await this.request(input, false, AbortSignal.timeout(this.options.timeoutMs ?? 30_000));
    const completion = (await response.json().catch(() => null)) as ChatCompletion | null;
    const content = completion?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      throw new ProviderUnavailableError(this.name, 'the chat API answered without choices[0].message.content', {
        isRetryable: false,
        statusCode: response.status,
      });
    }
    return content;
  }

  /** The reply as it is generated (`stream: true`, Server-Sent Events of `choices[0].delta.content`). */
  async *stream(input: RunnableInput): AsyncGenerator<string> {
    // The timeout bounds the wait for the response, not a long reply being streamed.
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new ProviderUnavailableError(this.name, 'no response in time', { isRetryable: true })),
      this.options.timeoutMs ?? 30_000,
    );
    let response: Response;
    try {
      response = await this.request(input, true, timeout.signal);
    } finally {
      clearTimeout(timer);
    }
    if (!response.body) throw new ProviderUnavailableError(this.name, 'the chat API answered without a body', { isRetryable: false });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = '';
    let finished = false;
    try {
      while (!finished) {
        const { done, value } = await reader.read();
        if (done) break;
        buffered += value;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') {
            finished = true;
            break;
          }
          const chunk = JSON.parse(data) as StreamChunk;
          if (chunk.error) {
            throw new ProviderUnavailableError(this.name, `the chat API failed mid-stream: ${chunk.error.message ?? 'unknown error'}`, { isRetryable: false });
          }
          const delta = chunk.choices?.[0]?.delta?.content;
          if (typeof delta === 'string' && delta.length > 0) yield delta;
        }
      }
    } catch (cause) {
      if (ProviderUnavailableError.isInstance(cause)) throw cause;
      throw new ProviderUnavailableError(this.name, 'the chat stream broke off', { isRetryable: false, cause });
    } finally {
      // A consumer that stopped early (the client went away) stops the HTTP response too.
      await reader.cancel().catch(() => undefined);
    }
  }
}
