import type { AgentReply } from './agent-endpoint.js';

/** A handler's reply as one string, for a JSON response; `path` names the endpoint when the reply is neither. */
export async function collectReply(reply: AgentReply, path: string): Promise<string> {
  if (typeof reply === 'string') return reply;
  if (reply === null || typeof reply !== 'object' || !(Symbol.asyncIterator in reply)) {
    throw new TypeError(`The handler of ${path} returned neither a string nor an async iterable of strings`);
  }
  let text = '';
  for await (const delta of reply) text += delta;
  return text;
}
