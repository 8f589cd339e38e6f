/**
 * The parts of the AI SDK's language model specification the middleware reads, written out so one
 * build serves LanguageModelV2 (`ai` 5) and LanguageModelV3 (`ai` 6) without importing either.
 * The real types of both majors are assignable to these.
 */

export interface PromptPartShape {
  readonly type: string;
  readonly text?: unknown;
}

export type PromptMessageShape =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user' | 'assistant' | 'tool'; readonly content: ReadonlyArray<PromptPartShape> };

export interface CallOptionsShape {
  readonly prompt: ReadonlyArray<PromptMessageShape>;
  readonly providerOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly abortSignal?: AbortSignal;
}

/** `finishReason` is a string in V2 and `{ unified, raw }` in V3. */
export type FinishReasonShape = string | { readonly unified: string };

export interface GenerateResultShape {
  readonly content: ReadonlyArray<PromptPartShape>;
  readonly finishReason: FinishReasonShape;
}

export interface StreamPartShape {
  readonly type: string;
}

export interface StreamResultShape<Part extends StreamPartShape = StreamPartShape> {
  readonly stream: ReadableStream<Part>;
}
