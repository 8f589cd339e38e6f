import { parseMessage } from './request-input.js';

/** How the reply goes back: one JSON body, Server-Sent Events, or the AI SDK's UI message stream (`useChat`). */
export type ReplyFormat = 'json' | 'sse' | 'ui-message-stream';

export interface ChatRequest {
  message: string;
  format: ReplyFormat;
}

interface UIMessageLike {
  role?: unknown;
  parts?: unknown;
}

/** The text of the last user message of a `useChat` request (`{ id, messages: UIMessage[], ... }`). */
function lastUserText(messages: unknown[]): unknown {
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as UIMessageLike | null;
    if (message?.role !== 'user') continue;
    if (!Array.isArray(message.parts)) return undefined;
    return message.parts
      .filter((part): part is { type: 'text'; text: string } => part?.type === 'text' && typeof part.text === 'string')
      .map((part) => part.text)
      .join('\n');
  }
  return undefined;
}

/**
 * The message and the reply format of a chat request: `{ message }` answered as JSON, or as
 * Server-Sent Events when the client accepts `text/event-stream`; a `useChat` body (`messages`)
 * is answered with the UI message stream. Only the last user message is taken: earlier turns come
 * from session memory, never from what the client claims was said.
 */
export function parseChatRequest(accept: string | undefined, body: Record<string, unknown>): ChatRequest {
  if (Array.isArray(body.messages)) {
    return { message: parseMessage(lastUserText(body.messages), 'messages'), format: 'ui-message-stream' };
  }
  const message = parseMessage(body.message);
  return { message, format: accept?.includes('text/event-stream') ? 'sse' : 'json' };
}
