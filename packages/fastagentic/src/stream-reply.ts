import type { AgentReply } from './agent-endpoint.js';
import type { ReplyFormat } from './chat-request.js';
import { errorToResponse } from './error-body.js';

export interface StreamReplyOptions {
  format: Exclude<ReplyFormat, 'json'>;
  reply: AgentReply;
  /** Sent before the first delta: what was injected (the JSON reply's other fields). */
  metadata: Record<string, unknown>;
  /**
   * Called once the whole reply was produced, before the final event, which carries its answer:
   * whether the exchange is remembered. Not called when the client went away or the reply failed.
   */
  onComplete(reply: string): boolean | Promise<boolean>;
  /** A reply that failed mid-stream: the client gets an error event, the server a log line. */
  onError(error: unknown): void;
}

/**
 * The headers of the AI SDK's UI message stream (`UI_MESSAGE_STREAM_HEADERS` in `ai`), but
 * `no-store` where it says `no-cache`: a reply holds the user's memories, so no cache may keep it.
 */
const UI_MESSAGE_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-store',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
};
const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
};
const TEXT_PART_ID = 'text-0';

async function* once(text: string): AsyncGenerator<string> {
  yield text;
}

/** Events of one format: what goes before, with and after the deltas. */
interface Framing {
  open(metadata: Record<string, unknown>): string;
  delta(text: string): string;
  close(reply: string, remembered: boolean): string;
  error(error: unknown): string;
}

const sseEvent = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
const uiChunk = (chunk: Record<string, unknown>) => `data: ${JSON.stringify(chunk)}\n\n`;

const FRAMINGS: Record<StreamReplyOptions['format'], Framing> = {
  sse: {
    open: (metadata) => sseEvent('memories', metadata),
    delta: (text) => sseEvent('delta', { text }),
    close: (reply, remembered) => sseEvent('done', { reply, remembered }),
    error: (error) => sseEvent('error', errorToResponse(error).body),
  },
  // The chunks `useChat` reads (ai 5 and 6): the memories travel as the message's metadata.
  'ui-message-stream': {
    open: (metadata) =>
      uiChunk({ type: 'start', messageId: crypto.randomUUID(), messageMetadata: metadata }) +
      uiChunk({ type: 'start-step' }) +
      uiChunk({ type: 'text-start', id: TEXT_PART_ID }),
    delta: (text) => uiChunk({ type: 'text-delta', id: TEXT_PART_ID, delta: text }),
    close: (_reply, remembered) =>
      uiChunk({ type: 'text-end', id: TEXT_PART_ID }) +
      uiChunk({ type: 'finish-step' }) +
      uiChunk({ type: 'finish', messageMetadata: { remembered } }) +
      'data: [DONE]\n\n',
    error: (error) => uiChunk({ type: 'error', errorText: errorToResponse(error).body.error.message }) + 'data: [DONE]\n\n',
  },
};

/**
 * Streams a reply as it is produced. The stream is pulled by the client: a client that goes away
 * cancels it, which stops the reply's source and skips `onComplete`, so nothing is stored for a
 * reply the user never saw.
 */
export function streamReply(options: StreamReplyOptions): Response {
  const framing = FRAMINGS[options.format];
  const encoder = new TextEncoder();
  const source = (typeof options.reply === 'string' ? once(options.reply) : options.reply)[Symbol.asyncIterator]();
  let reply = '';
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(framing.open(options.metadata)));
    },
    async pull(controller) {
      let next: IteratorResult<string>;
      try {
        next = await source.next();
      } catch (error) {
        options.onError(error);
        controller.enqueue(encoder.encode(framing.error(error)));
        controller.close();
        return;
      }
      if (next.done) {
        const remembered = await options.onComplete(reply);
        controller.enqueue(encoder.encode(framing.close(reply, remembered)));
        controller.close();
        return;
      }
      if (typeof next.value !== 'string' || next.value.length === 0) return;
      reply += next.value;
      controller.enqueue(encoder.encode(framing.delta(next.value)));
    },
    async cancel() {
      await source.return?.();
    },
  });
  return new Response(body, { headers: options.format === 'sse' ? SSE_HEADERS : UI_MESSAGE_STREAM_HEADERS });
}
