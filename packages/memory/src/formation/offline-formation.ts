import { terms } from '../relevance/terms.js';
import { UnsupportedFilterError } from '../spec/memory-error.js';
import type { CallOptions, MemoryProvider } from '../spec/memory-provider.js';
import type { Memory, Metadata } from '../spec/schemas.js';
import { extractStatements, type Statement } from './extract-statements.js';
import { factSlots, sameValue, type FactSlot } from './fact-slots.js';
import type { FormationOperation, FormationPlan, FormationTurn, MemoryFormation } from './memory-formation.js';
import { applyFacts, findProfileMemory, PROFILE_KIND, type UserProfile } from './user-profile.js';

export interface OfflineFormationOptions {
  /** Keep the per-user profile up to date from first-person statements. Default true. */
  profile?: boolean;
  /** Share of terms two statements must have in common to be the same fact. Default 0.75. */
  restatementOverlap?: number;
}

const NEGATION = /\b(?:not|no longer|never|don't|dont|doesn't|didn't|isn't|aren't|wasn't|can't|cannot|won't|hate|dislike|stopped|quit)\b/i;

/** The provenance every formed memory carries. */
export function provenance(turn: FormationTurn): Metadata {
  const at = turn.at === undefined ? new Date() : new Date(turn.at);
  return {
    kind: 'fact',
    source: turn.source ?? 'formation',
    ...(turn.sessionId === undefined ? {} : { session: turn.sessionId }),
    ...(turn.turn === undefined ? {} : { turn: turn.turn }),
    formedAt: at.toISOString(),
  };
}

function isProfile(memory: Memory): boolean {
  return memory.metadata.kind === PROFILE_KIND;
}

function overlap(a: ReadonlySet<string>, b: readonly string[]): { shared: number; union: number } {
  let shared = 0;
  for (const term of b) if (a.has(term)) shared++;
  return { shared, union: a.size + b.length - shared };
}

/**
 * The attribute a statement is about: its single-valued attribute when it states exactly one,
 * else its only attribute. A statement restating the same value of it restates the memory; a new
 * value of a single-valued one supersedes it.
 */
function primarySlot(facts: readonly FactSlot[]): FactSlot | undefined {
  const single = facts.filter((fact) => fact.single);
  if (single.length === 1) return single[0];
  return single.length === 0 && facts.length === 1 ? facts[0] : undefined;
}

async function memoriesInSlot(provider: MemoryProvider, userId: string, slot: string, options: CallOptions): Promise<Memory[]> {
  try {
    return (await provider.getAll(userId, { limit: 20, filters: { slot }, ...options })).memories;
  } catch (error) {
    // A store without equality filters cannot find the slot: the statement is then added.
    if (UnsupportedFilterError.isInstance(error)) return [];
    throw error;
  }
}

/**
 * Formation without a model: what the user said (never the agent's text), cut into statements;
 * questions, greetings, acknowledgements and text that only repeats a memory are dropped; a
 * statement that restates a memory refreshes it (update, no copy); a new value for a single-valued
 * attribute ("I moved to Berlin" after "I live in Paris") supersedes the memory holding the old
 * one. Every memory keeps its provenance (session, turn, time) and its attribute in metadata.
 */
export function offlineFormation(options: OfflineFormationOptions = {}): MemoryFormation {
  const keepProfile = options.profile ?? true;
  const threshold = options.restatementOverlap ?? 0.75;

  const plan = async (provider: MemoryProvider, turn: FormationTurn, call: CallOptions = {}): Promise<FormationPlan> => {
    const userText = turn.messages
      .filter((message) => message.role === 'user')
      .map((message) => message.content)
      .join('\n');
    const { statements, dropped } = extractStatements(userText);
    const operations: FormationOperation[] = [];
    const result: FormationPlan = { operations, dropped, formedBy: 'offline', usage: { calls: 0, inputTokens: 0, outputTokens: 0 } };
    if (statements.length === 0) return result;

    const base = provenance(turn);
    const touched = new Set<string>();
    const allFacts: FactSlot[] = [];
    for (const statement of statements) {
      const facts = factSlots(statement.text);
      allFacts.push(...facts);
      const slot = primarySlot(facts);
      const metadata: Metadata = slot ? { ...base, slot: slot.slot, value: slot.value } : { ...base };
      // One statement: the memories injected for the message are its best matches already.
      const candidates =
        statements.length === 1 && turn.injected !== undefined
          ? turn.injected.filter((memory) => !isProfile(memory))
          : await similarMemories(provider, turn, statement, call);
      const inSlot = slot ? await slotMemories(provider, turn.userId, slot, candidates, call) : undefined;
      const same =
        findRestated(candidates, statement, threshold, touched) ??
        (inSlot?.same && !touched.has(inSlot.same.id) ? { memory: inSlot.same, wider: false } : undefined);
      if (same) {
        // Said again: the memory is refreshed (when and how often), never copied.
        touched.add(same.memory.id);
        const refreshed: Metadata = { ...same.memory.metadata, restatedAt: base.formedAt!, restatedCount: restatedCount(same.memory) + 1 };
        if (slot && refreshed.slot === undefined) Object.assign(refreshed, { slot: slot.slot, value: slot.value });
        operations.push({
          kind: 'update',
          memoryId: same.memory.id,
          ...(same.wider ? { text: statement.text } : {}),
          metadata: same.wider ? { ...refreshed, ...metadata } : refreshed,
          reason: 'formation:restated',
          previousText: same.memory.memory,
        });
        continue;
      }
      const live = (inSlot?.others ?? []).filter((memory) => !touched.has(memory.id) && memory.memory !== statement.text);
      if (live.length > 0) {
        const [newest, ...older] = live;
        touched.add(newest!.id);
        operations.push({ kind: 'update', memoryId: newest!.id, text: statement.text, metadata, reason: 'formation:superseded', previousText: newest!.memory });
        for (const memory of older) {
          touched.add(memory.id);
          operations.push({ kind: 'delete', memoryId: memory.id, reason: 'formation:superseded', previousText: memory.memory });
        }
        continue;
      }
      operations.push({ kind: 'add', text: statement.text, metadata });
    }
    if (keepProfile && allFacts.length > 0) {
      const existing = await findProfileMemory(provider, turn.userId, call).catch((error: unknown) => {
        if (UnsupportedFilterError.isInstance(error)) return undefined;
        throw error;
      });
      if (existing !== undefined) {
        const current = (existing?.metadata.profile ?? {}) as UserProfile;
        const next = applyFacts(current, allFacts);
        if (next !== current) operations.push({ kind: 'profile', profile: next, existing });
      }
    }
    return result;
  };

  return { name: 'offline', plan };
}

function restatedCount(memory: Memory): number {
  const count = memory.metadata.restatedCount;
  return typeof count === 'number' ? count : 0;
}

/** The injected memories and the store's best matches for the statement, profile left out. */
async function similarMemories(provider: MemoryProvider, turn: FormationTurn, statement: Statement, call: CallOptions): Promise<Memory[]> {
  const found = await provider.search(turn.userId, statement.text, { limit: 5, ...call });
  const byId = new Map<string, Memory>();
  for (const memory of [...(turn.injected ?? []), ...found]) if (!isProfile(memory)) byId.set(memory.id, memory);
  return [...byId.values()];
}

interface Restated {
  memory: Memory;
  /** The statement says more than the memory (the memory's terms are all in it): its text replaces the memory's. */
  wider: boolean;
}

/**
 * The memory the statement restates: nearly the same terms, or one's terms all within the
 * other's, and the same polarity ("I like tea" does not restate "I don't like tea").
 */
function findRestated(candidates: readonly Memory[], statement: Statement, threshold: number, touched: ReadonlySet<string>): Restated | undefined {
  const negated = NEGATION.test(statement.text);
  let best: Restated | undefined;
  let bestShare = 0;
  for (const memory of candidates) {
    if (touched.has(memory.id) || NEGATION.test(memory.memory) !== negated) continue;
    const memoryTerms = new Set(terms(memory.memory));
    if (memoryTerms.size === 0) continue;
    const { shared, union } = overlap(memoryTerms, statement.terms);
    const share = shared / union;
    const within = shared === statement.terms.length;
    const wider = shared === memoryTerms.size && statement.terms.length > memoryTerms.size && memoryTerms.size >= 2;
    if (share >= threshold || within || wider) {
      if (share > bestShare) {
        bestShare = share;
        best = { memory, wider: wider && !within };
      }
    }
  }
  return best;
}

/**
 * The user's memories of the statement's single-valued attribute, newest first: the one holding
 * the same value (a restatement in other words: "I moved to Berlin" after "I live in Berlin"),
 * and the ones holding another value, which the statement supersedes.
 */
async function slotMemories(
  provider: MemoryProvider,
  userId: string,
  slot: FactSlot,
  candidates: readonly Memory[],
  call: CallOptions,
): Promise<{ same: Memory | undefined; others: Memory[] }> {
  const inSlot = await memoriesInSlot(provider, userId, slot.slot, call);
  // Memories stored before formation carry no slot: the candidates are read for one.
  for (const memory of candidates) {
    if (memory.metadata.slot !== undefined || inSlot.some((held) => held.id === memory.id)) continue;
    const held = primarySlot(factSlots(memory.memory));
    if (held?.slot === slot.slot) inSlot.push({ ...memory, metadata: { ...memory.metadata, value: held.value } });
  }
  inSlot.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const holds = (memory: Memory) => typeof memory.metadata.value === 'string' && sameValue(memory.metadata.value, slot.value);
  // Only a single-valued attribute is superseded: a second dog does not replace the first.
  return { same: inSlot.find(holds), others: slot.single ? inSlot.filter((memory) => !holds(memory)) : [] };
}
