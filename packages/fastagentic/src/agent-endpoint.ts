import type { Memory, MemoryInjector, MemoryProvider, Message } from '@fastagentic/memory';
import type { AuthenticatedUser } from './bearer-auth.js';
import type { Runnable } from './runnable.js';

/** What an agent handler gets besides the message. */
export interface AgentContext {
  user: AuthenticatedUser;
  /** Long-term memory (metered), for manual access beyond what was injected. */
  memory: MemoryProvider;
  /** Session memory, when the app has one. Scope reads to the session with `filters: { sessionId }`. */
  sessionMemory: MemoryProvider | undefined;
  /** The session of this request, when the client named one. */
  sessionId: string | undefined;
  /** Long-term memories picked by the endpoint's strategy (empty without a strategy, or when memory is unavailable). */
  memories: Memory[];
  /** This session's earlier exchanges, newest first. */
  sessionMemories: Memory[];
  /** `memories` and `sessionMemories` as one framed block for a system prompt (the core's `formatMemoryContext`). */
  memoryContext: string;
  /** False when the memory backend failed or ran past its budget and the request went on without it. */
  memoryAvailable: boolean;
  /** Runs the endpoint's runnable on `messages` (default: the user's message) with the injected memories. */
  run(messages?: Message[]): Promise<string>;
  /** The same as text deltas (the runnable's `stream`, else `run` as one delta): return it to stream the reply. */
  stream(messages?: Message[]): AsyncIterable<string>;
  /** True when the client asked for a streamed reply (Server-Sent Events or the AI SDK's UI message stream). */
  streaming: boolean;
  signal: AbortSignal;
}

/** A reply, whole or as text deltas; either is sent as JSON or streamed, as the client asked. */
export type AgentReply = string | AsyncIterable<string>;

export type AgentHandler = (message: string, ctx: AgentContext) => Promise<AgentReply> | AgentReply;

export interface AgentEndpointOptions {
  /** The POST route, e.g. `/chat`. */
  path: string;
  runnable: Runnable;
  /** Automatic injection: `injectMemory({ strategy, ... })`. Without it nothing long-term is injected. */
  memory?: MemoryInjector;
  /**
   * What to store in long-term and session memory after replying: `'exchange'` (default, or
   * `true`) the user's message and the reply; `'user'` the user's message only (nothing the
   * model said, so a reply can never echo memories back into the store); `false` nothing.
   */
  remember?: boolean | 'exchange' | 'user';
  /** How many of the session's latest exchanges to inject. Default 10. */
  sessionTurns?: number;
}

export interface AgentEndpoint {
  readonly options: Readonly<AgentEndpointOptions>;
  readonly handler: AgentHandler;
}

/** Runs the runnable with the injected memories, streaming when the client asked to: the endpoint's behaviour when no handler is given. */
export const runAgent: AgentHandler = (_message, ctx) => (ctx.streaming ? ctx.stream() : ctx.run());

/** The spec's `agent_endpoint`: a chat route, its runnable and memory strategy, and the handler. Mount it with `app.add`. */
export function agentEndpoint(options: AgentEndpointOptions, handler: AgentHandler = runAgent): AgentEndpoint {
  return { options: Object.freeze({ ...options }), handler };
}
