import type { CallOptions, MemoryProvider } from '../spec/memory-provider.js';
import type { Memory, Message, Metadata } from '../spec/schemas.js';
import type { DroppedReason } from './extract-statements.js';
import type { UserProfile } from './user-profile.js';

/** One conversation turn, as formation receives it after the reply. */
export interface FormationTurn {
  userId: string;
  /** The exchange. Only the `user` messages are read: the agent's own text is never a memory. */
  messages: readonly Message[];
  /** The long-term memories injected for this turn (they are likely what the user restates). */
  injected?: readonly Memory[];
  /** Provenance kept in each memory's metadata. */
  sessionId?: string;
  /** The turn's place in its conversation (a number or an opaque id). */
  turn?: number | string;
  /** When the user said it. Default: now. */
  at?: Date | string;
  /** Where the turn came from, e.g. `chat` or `ai-sdk`; kept as `metadata.source`. */
  source?: string;
}

/** A change to the user's memories, applied through the provider contract. */
export type FormationOperation =
  | { kind: 'add'; text: string; metadata: Metadata }
  | {
      kind: 'update';
      memoryId: string;
      /** Absent: only the metadata changes (a restatement refreshes the memory). */
      text?: string;
      metadata: Metadata;
      reason: FormationReason;
      /** The text being replaced, for reports. */
      previousText: string;
    }
  | { kind: 'delete'; memoryId: string; reason: FormationReason; previousText: string }
  | { kind: 'profile'; profile: UserProfile; existing: Memory | null };

export type FormationReason = 'formation:restated' | 'formation:superseded' | 'formation:deleted';

export interface FormationUsage {
  /** Model calls made for the turn (0 offline). */
  calls: number;
  inputTokens: number;
  outputTokens: number;
}

export interface FormationPlan {
  operations: FormationOperation[];
  /** What was said but not kept, and why. */
  dropped: { text: string; reason: DroppedReason | 'none' }[];
  /** `offline`, or the model's id; `offline (fallback)` when the model failed. */
  formedBy: string;
  usage: FormationUsage;
}

export interface FormationResult extends FormationPlan {
  /** Ids of memories added (for the `event-id` providers, the event ids). */
  added: string[];
  updated: string[];
  deleted: string[];
}

/**
 * Turns a conversation turn into changes to the user's memories. One interface for every
 * caller (the App, the AI SDK middleware, scripts): `offlineFormation()` in the core, a model
 * formation in `@fastagentic/ai-sdk`.
 */
export interface MemoryFormation {
  readonly name: string;
  /** Decides what the turn changes, reading the user's memories but writing nothing. */
  plan(provider: MemoryProvider, turn: FormationTurn, options?: CallOptions): Promise<FormationPlan>;
}
