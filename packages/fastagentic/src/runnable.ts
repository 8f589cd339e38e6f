import type { Memory, Message, UserProfile } from '@fastagentic/memory';

/** What a runnable gets: the conversation, and the memories the endpoint's strategy picked for it. */
export interface RunnableInput {
  messages: Message[];
  /** Long-term memories chosen by the endpoint's strategy, best (or newest) first. */
  memories: Memory[];
  /** This session's earlier exchanges, newest first. */
  sessionMemories: Memory[];
  /** Both sets as one framed block for a system prompt (the core's `formatMemoryContext`); empty when there are none. */
  memoryContext: string;
  /** The user's profile, when the endpoint's strategy injects it (`injectWithProfile`); also in `memoryContext`. */
  profile?: UserProfile;
  signal?: AbortSignal;
}

/** Anything that turns messages (with the injected memory context) into a reply. */
export interface Runnable {
  /** Short name for logs, e.g. `offline` or `openai-compatible:gpt-4o-mini`. */
  readonly name: string;
  run(input: RunnableInput): Promise<string>;
  /** The reply as text deltas, for streamed responses. Without it a streamed reply arrives as one delta from `run`. */
  stream?(input: RunnableInput): AsyncIterable<string>;
}
