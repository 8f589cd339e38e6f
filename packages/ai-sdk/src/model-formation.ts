import {
  applyFacts,
  extractStatements,
  factSlots,
  findProfileMemory,
  offlineFormation,
  PROFILE_KIND,
  provenance,
  UnsupportedFilterError,
  type CallOptions,
  type FormationOperation,
  type FormationPlan,
  type FormationTurn,
  type Memory,
  type MemoryFormation,
  type MemoryProvider,
  type Metadata,
  type UserProfile,
} from '@fastagentic/memory';
import { validateMetadata } from '@fastagentic/memory/provider';
import { FORMATION_ANSWER_SCHEMA, FORMATION_PROMPT_VERSION, FORMATION_SYSTEM_PROMPT, formationUserPrompt } from './formation-prompts.js';
import type { PromptMessageShape, PromptPartShape } from './language-model-shapes.js';

/** What model formation uses of an AI SDK language model: LanguageModelV2 (`ai` 5) and V3 (`ai` 6) both fit. */
export interface FormationModelShape {
  readonly provider: string;
  readonly modelId: string;
  doGenerate(options: {
    prompt: PromptMessageShape[];
    responseFormat?: { type: 'json'; schema?: unknown; name?: string };
    temperature?: number;
    abortSignal?: AbortSignal;
  }): PromiseLike<{ content: ReadonlyArray<PromptPartShape>; usage?: unknown }>;
}

export interface ModelFormationOptions {
  /** Any AI SDK language model, e.g. `openai('gpt-4o-mini')`. */
  model: FormationModelShape;
  /** Used when the model call or its answer fails. Default `offlineFormation()`. */
  fallback?: MemoryFormation;
  /** The app's profile schema: its `properties` are the only profile fields the model may set. */
  profileSchema?: { properties: Record<string, unknown> };
  /** How many of the user's related memories the model sees. Default 8. */
  candidates?: number;
  /**
   * Call the model only for turns where the offline pass finds a statement (questions, greetings
   * and thanks cost no call). Default true.
   */
  skipTurnsWithoutStatements?: boolean;
  /** Told about a model failure before the fallback runs. */
  onFallback?: (error: unknown, details: { userId: string }) => void;
}

interface ModelFact {
  text: string;
  action: 'add' | 'update' | 'delete' | 'none';
  memory?: number;
}

/** A model answer that does not have the promised shape. */
export class FormationAnswerError extends Error {
  override readonly name = 'FormationAnswerError';
}

function textOf(parts: ReadonlyArray<PromptPartShape>): string {
  return parts.map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('');
}

/** Input and output tokens from a V2 (`number`) or V3 (`{ total }`) usage. */
function tokens(usage: unknown): { input: number; output: number } {
  const count = (value: unknown): number =>
    typeof value === 'number' ? value : typeof (value as { total?: unknown })?.total === 'number' ? (value as { total: number }).total : 0;
  const { inputTokens, outputTokens } = (usage ?? {}) as { inputTokens?: unknown; outputTokens?: unknown };
  return { input: count(inputTokens), output: count(outputTokens) };
}

/** The answer, checked: a `facts` array of { text, action, memory? } and an optional `profile` object. */
export function parseFormationAnswer(raw: string, memoryCount: number): { facts: ModelFact[]; profile: Record<string, unknown> } {
  // Models wrap JSON in a code fence now and then.
  const json = raw.trim().replace(/^```(?:json)?\s*|\s*```$/g, '');
  let answer: unknown;
  try {
    answer = JSON.parse(json);
  } catch {
    throw new FormationAnswerError('the answer is not JSON');
  }
  const { facts, profile = {} } = (answer ?? {}) as { facts?: unknown; profile?: unknown };
  if (!Array.isArray(facts)) throw new FormationAnswerError('facts must be an array');
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) throw new FormationAnswerError('profile must be an object');
  const checked = facts.map((fact, index): ModelFact => {
    const { text, action, memory } = (fact ?? {}) as Partial<ModelFact>;
    if (typeof text !== 'string' || text.trim().length === 0) throw new FormationAnswerError(`facts.${index}.text must be a non-empty string`);
    if (action !== 'add' && action !== 'update' && action !== 'delete' && action !== 'none') {
      throw new FormationAnswerError(`facts.${index}.action must be add, update, delete or none`);
    }
    if (action !== 'add' && !(Number.isInteger(memory) && memory! >= 1 && memory! <= memoryCount)) {
      throw new FormationAnswerError(`facts.${index}.memory must name one of the ${memoryCount} memories`);
    }
    return { text: text.trim(), action, ...(memory === undefined ? {} : { memory }) };
  });
  return { facts: checked, profile: profile as Record<string, unknown> };
}

/**
 * Formation with a language model, one call per turn: the user's related memories are looked up,
 * then the model extracts the turn's facts and decides for each whether it adds, updates
 * (supersedes) or deletes a memory, or changes nothing, and which profile fields it sets. The
 * plan goes through the same contract as offline formation (update with its reason in history,
 * or delete + add). Any failure (the call, or an answer without the promised shape) falls back
 * to offline formation for the turn.
 */
export function modelFormation(options: ModelFormationOptions): MemoryFormation {
  const { model } = options;
  const fallback = options.fallback ?? offlineFormation();
  const limit = options.candidates ?? 8;
  const skipEmpty = options.skipTurnsWithoutStatements ?? true;
  const allowed = options.profileSchema ? new Set(Object.keys(options.profileSchema.properties)) : undefined;
  const formedBy = `${model.provider}/${model.modelId} (${FORMATION_PROMPT_VERSION})`;

  const plan = async (provider: MemoryProvider, turn: FormationTurn, call: CallOptions = {}): Promise<FormationPlan> => {
    const userText = turn.messages
      .filter((message) => message.role === 'user')
      .map((message) => message.content)
      .join('\n');
    if (userText.trim().length === 0) return { operations: [], dropped: [], formedBy, usage: { calls: 0, inputTokens: 0, outputTokens: 0 } };
    if (skipEmpty) {
      const { statements, dropped } = extractStatements(userText);
      if (statements.length === 0) return { operations: [], dropped, formedBy, usage: { calls: 0, inputTokens: 0, outputTokens: 0 } };
    }
    const usage = { calls: 0, inputTokens: 0, outputTokens: 0 };
    try {
      // The related memories: the best matches, and those holding an attribute the turn names
      // ("I moved to Berlin" shares no word with "I live in Paris", but both are the home).
      const slots = [...new Set(factSlots(userText).map((fact) => fact.slot))];
      const [found, inSlots, profileMemory] = await Promise.all([
        provider.search(turn.userId, userText, { limit, ...call }),
        slots.length === 0
          ? []
          : provider.getAll(turn.userId, { limit, filters: { slot: { in: slots } }, ...call }).then(
              (page) => page.memories,
              (error: unknown) => {
                if (UnsupportedFilterError.isInstance(error)) return [];
                throw error;
              },
            ),
        findProfileMemory(provider, turn.userId, call).catch((error: unknown) => {
          if (UnsupportedFilterError.isInstance(error)) return undefined;
          throw error;
        }),
      ]);
      const byId = new Map<string, Memory>();
      for (const memory of [...inSlots, ...(turn.injected ?? []), ...found]) if (memory.metadata.kind !== PROFILE_KIND) byId.set(memory.id, memory);
      const candidates = [...byId.values()].slice(0, limit);
      const system = allowed
        ? `${FORMATION_SYSTEM_PROMPT}\nThe profile's fields, as JSON Schema properties: ${JSON.stringify(options.profileSchema!.properties)}`
        : FORMATION_SYSTEM_PROMPT;
      usage.calls++;
      const result = await model.doGenerate({
        prompt: [
          { role: 'system', content: system },
          { role: 'user', content: [{ type: 'text', text: formationUserPrompt(userText, candidates.map((memory) => memory.memory)) }] },
        ],
        responseFormat: { type: 'json', schema: FORMATION_ANSWER_SCHEMA, name: 'formation' },
        temperature: 0,
        ...(call.signal ? { abortSignal: call.signal } : {}),
      });
      const used = tokens(result.usage);
      usage.inputTokens += used.input;
      usage.outputTokens += used.output;
      const answer = parseFormationAnswer(textOf(result.content), candidates.length);
      return { ...toPlan(answer, candidates, profileMemory, turn, formedBy, allowed), usage };
    } catch (error) {
      if (call.signal?.aborted) throw error;
      options.onFallback?.(error, { userId: turn.userId });
      const planned = await fallback.plan(provider, turn, call);
      return { ...planned, formedBy: `${planned.formedBy} (fallback)`, usage: { calls: usage.calls, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } };
    }
  };

  return { name: formedBy, plan };
}

function toPlan(
  answer: { facts: ModelFact[]; profile: Record<string, unknown> },
  candidates: readonly Memory[],
  profileMemory: Memory | null | undefined,
  turn: FormationTurn,
  formedBy: string,
  allowed: ReadonlySet<string> | undefined,
): Omit<FormationPlan, 'usage'> {
  const base: Metadata = { ...provenance(turn), formedBy };
  const operations: FormationOperation[] = [];
  const touched = new Set<string>();
  for (const fact of answer.facts) {
    const slot = factSlots(fact.text).find((found) => found.single) ?? factSlots(fact.text)[0];
    const metadata: Metadata = slot ? { ...base, slot: slot.slot, value: slot.value } : base;
    const target = fact.memory === undefined ? undefined : candidates[fact.memory - 1];
    if (fact.action === 'add') operations.push({ kind: 'add', text: fact.text, metadata });
    else if (target && !touched.has(target.id)) {
      touched.add(target.id);
      if (fact.action === 'update') {
        const restated = fact.text.toLowerCase() === target.memory.toLowerCase();
        operations.push({
          kind: 'update',
          memoryId: target.id,
          text: fact.text,
          metadata,
          reason: restated ? 'formation:restated' : 'formation:superseded',
          previousText: target.memory,
        });
      } else if (fact.action === 'delete') {
        operations.push({ kind: 'delete', memoryId: target.id, reason: 'formation:deleted', previousText: target.memory });
      }
    }
  }
  if (profileMemory !== undefined) {
    const current = (profileMemory?.metadata.profile ?? {}) as UserProfile;
    const fields = Object.entries(answer.profile).filter(([field, value]) => (!allowed || allowed.has(field)) && value !== null && value !== '');
    // The model's fields pass the metadata checks (JSON, sizes) before they reach the store.
    const changes = validateMetadata(Object.fromEntries(fields), 'profile') as UserProfile;
    let next = Object.keys(changes).length === 0 ? current : { ...current, ...changes };
    // Slots the facts state keep the profile right even when the model left the profile out.
    next = applyFacts(next, answer.facts.filter((fact) => fact.action !== 'delete').flatMap((fact) => factSlots(fact.text)));
    if (JSON.stringify(next) !== JSON.stringify(current)) operations.push({ kind: 'profile', profile: next, existing: profileMemory });
  }
  return { operations, dropped: [], formedBy };
}
