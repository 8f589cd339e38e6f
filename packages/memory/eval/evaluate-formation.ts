import {
  estimateTokens,
  formMemories,
  InMemoryProvider,
  injectMemory,
  injectWithProfile,
  type Memory,
  type MemoryFormation,
  type MemoryInjector,
} from '../src/index.js';
import { terms } from '../src/relevance/terms.js';
import { generateConversationSet, type ConversationSet, type Turn } from './conversation-set.js';

/** Stores one turn: what a mode does after the reply. `injected` is what the strategy gave the agent. */
export type StoreTurn = (provider: InMemoryProvider, turn: Turn, injected: { memories: Memory[]; context: string }) => Promise<void>;

export interface Mode {
  name: string;
  inject: MemoryInjector;
  store: StoreTurn;
  /** Model calls and tokens, for model formation. */
  usage?: () => { calls: number; inputTokens: number; outputTokens: number };
}

export interface ModeFigures {
  name: string;
  turns: number;
  storedPer100Turns: number;
  noiseShare: number;
  duplicateShare: number;
  supersededInjected: { hits: number; of: number };
  lexicalProbes: { hits: number; of: number };
  /** Probes sharing a word whose answer is among the memories the search kept, profile aside: what the score floor decides. */
  lexicalProbesByScore: { hits: number; of: number };
  profileProbes: { hits: number; of: number };
  otherProbes: { hits: number; of: number };
  injectedTokensPerTurn: number;
  storeCpuMsPerTurn: number;
  modelCallsPerTurn?: number;
  modelTokensPerTurn?: number;
}

/** Attributes the profile holds (hobbies and races are plain memories). */
const PROFILE_ATTRIBUTES = new Set(['home', 'employer', 'diet', 'colour', 'phone', 'pet', 'sister', 'allergy']);

/** What the reference agent's offline runnable replied before formation: the text stored with each exchange. */
export function todaysReply(turn: Turn, recalled: number): string {
  return `You said: ${turn.text}\n${recalled === 0 ? 'I remember nothing about you yet.' : `I recalled ${recalled} ${recalled === 1 ? 'memory' : 'memories'} about you.`}`;
}

/** Before formation: each raw exchange (the user's message and the agent's reply), as the App stored it. */
export const todaysMode: Mode = {
  name: 'today (raw exchanges)',
  inject: injectMemory({ strategy: 'relevant', maxMemories: 10 }),
  store: async (provider, turn, injected) => {
    await provider.add(
      turn.userId,
      [
        { role: 'user', content: turn.text },
        { role: 'assistant', content: todaysReply(turn, injected.memories.length) },
      ],
      { source: 'chat', turn: turn.index },
    );
  },
};

/** The reference agent's strategy with formation: the profile block, then memories above 0.3. */
export const formationInjector = injectWithProfile(injectMemory({ strategy: 'relevant', maxMemories: 10, minRelevance: 0.3 }));

/** A formation's mode: the reference agent's injection, then the turn formed after the reply. */
export function formationMode(name: string, formation: MemoryFormation, usage?: Mode['usage']): Mode {
  return {
    name,
    inject: formationInjector,
    store: async (provider, turn, injected) => {
      await formMemories(
        provider,
        { userId: turn.userId, messages: [{ role: 'user', content: turn.text }], injected: injected.memories, sessionId: `s${turn.session}`, turn: turn.index, source: 'chat' },
        { formation },
      );
    },
    ...(usage ? { usage } : {}),
  };
}

function share(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

function mentions(context: string, value: string): boolean {
  return context.toLowerCase().includes(value.toLowerCase());
}

/** Runs every turn of the set through a mode and measures what it stored and injected. */
export async function evaluateMode(mode: Mode, set: ConversationSet = generateConversationSet()): Promise<ModeFigures> {
  const provider = new InMemoryProvider();
  const figures: ModeFigures = {
    name: mode.name,
    turns: set.turns.length,
    storedPer100Turns: 0,
    noiseShare: 0,
    duplicateShare: 0,
    supersededInjected: { hits: 0, of: 0 },
    lexicalProbes: { hits: 0, of: 0 },
    lexicalProbesByScore: { hits: 0, of: 0 },
    profileProbes: { hits: 0, of: 0 },
    otherProbes: { hits: 0, of: 0 },
    injectedTokensPerTurn: 0,
    storeCpuMsPerTurn: 0,
  };
  let injectedTokens = 0;
  let cpuMicros = 0;
  for (const turn of set.turns) {
    const injected = await mode.inject(provider, { userId: turn.userId, query: turn.text });
    injectedTokens += estimateTokens(injected.context);
    if (turn.kind === 'probe') {
      const answer = set.facts.get(turn.answerId!)!;
      const hit = mentions(injected.context, answer.value);
      const sharesWord = terms(turn.text).some((term) => terms(answer.text).includes(term));
      const bucket = sharesWord
        ? figures.lexicalProbes
        : PROFILE_ATTRIBUTES.has(answer.attribute)
          ? figures.profileProbes
          : figures.otherProbes;
      bucket.of++;
      if (hit) bucket.hits++;
      if (sharesWord) {
        figures.lexicalProbesByScore.of++;
        if (injected.memories.some((memory) => mentions(memory.memory, answer.value))) figures.lexicalProbesByScore.hits++;
      }
      if (turn.supersededIds!.length > 0) {
        figures.supersededInjected.of++;
        const stale = turn.supersededIds!.some((id) => {
          const old = set.facts.get(id)!;
          return old.value.toLowerCase() !== answer.value.toLowerCase() && mentions(injected.context, old.value);
        });
        if (stale) figures.supersededInjected.hits++;
      }
    }
    const started = process.cpuUsage();
    await mode.store(provider, turn, injected);
    const used = process.cpuUsage(started);
    cpuMicros += used.user + used.system;
  }

  // The end state: every user's memories, each traced to the turn that formed it.
  const turnOf = new Map(set.turns.map((turn) => [`${turn.userId}#${turn.index}`, turn]));
  let stored = 0;
  let noise = 0;
  let duplicates = 0;
  for (const userId of set.users) {
    const { memories } = await provider.getAll(userId, { limit: 1000 });
    const factsHeld = new Set<string>();
    for (const memory of memories) {
      if (memory.metadata.kind === 'profile') continue;
      stored++;
      const source = turnOf.get(`${userId}#${memory.metadata.turn}`);
      const agentText = /^assistant: /m.test(memory.memory);
      if (agentText || !source || source.factId === undefined) noise++;
      // A second live memory of the same fact (a restatement stored again) is a duplicate.
      if (source?.factId === undefined) continue;
      if (factsHeld.has(source.factId)) duplicates++;
      factsHeld.add(source.factId);
    }
  }
  figures.storedPer100Turns = (stored / set.turns.length) * 100;
  figures.noiseShare = share(noise, stored);
  figures.duplicateShare = share(duplicates, stored);
  figures.injectedTokensPerTurn = injectedTokens / set.turns.length;
  figures.storeCpuMsPerTurn = cpuMicros / 1000 / set.turns.length;
  if (mode.usage) {
    const usage = mode.usage();
    figures.modelCallsPerTurn = usage.calls / set.turns.length;
    figures.modelTokensPerTurn = (usage.inputTokens + usage.outputTokens) / set.turns.length;
  }
  return figures;
}

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const ratio = ({ hits, of }: { hits: number; of: number }) => `${percent(share(hits, of))} (${hits}/${of})`;

/** The figures side by side as a Markdown table, with the offline targets. */
export function formatFigures(set: ConversationSet, all: ModeFigures[]): string {
  const today = all[0]!;
  const rows: [string, (figures: ModeFigures) => string, string][] = [
    ['memories stored per 100 turns', (f) => `${f.storedPer100Turns.toFixed(1)}${f === today ? '' : ` (${percent(f.storedPer100Turns / today.storedPer100Turns)} of today)`}`, '≤ 40% of today'],
    ['noise share (agent text, questions, chit-chat)', (f) => percent(f.noiseShare), '0%'],
    ['duplicates', (f) => percent(f.duplicateShare), '≤ 1%'],
    ['superseded fact injected, of update probes', (f) => ratio(f.supersededInjected), '≤ 5%'],
    ['answer injected: probes sharing a content word', (f) => ratio(f.lexicalProbes), '≥ 95%'],
    ['… of which among the searched memories (profile aside)', (f) => ratio(f.lexicalProbesByScore), ''],
    ['answer injected: profile probes (no shared word)', (f) => ratio(f.profileProbes), '≥ 60%'],
    ['answer injected: other paraphrases (no shared word)', (f) => ratio(f.otherProbes), ''],
    ['injected tokens per turn', (f) => f.injectedTokensPerTurn.toFixed(1), ''],
    ['CPU to store a turn (ms, off the reply path)', (f) => f.storeCpuMsPerTurn.toFixed(3), '≤ 0.2 ms'],
  ];
  if (all.some((f) => f.modelCallsPerTurn !== undefined)) {
    rows.push(['model calls per turn', (f) => (f.modelCallsPerTurn === undefined ? '0' : f.modelCallsPerTurn.toFixed(2)), '']);
    rows.push(['model tokens per turn', (f) => (f.modelTokensPerTurn === undefined ? '0' : f.modelTokensPerTurn.toFixed(1)), '']);
  }
  const kinds = new Map<string, number>();
  for (const turn of set.turns) kinds.set(turn.kind, (kinds.get(turn.kind) ?? 0) + 1);
  const header = `| ${set.users.length} users, ${set.turns.length} turns (${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ')}) | ${all.map((f) => f.name).join(' | ')} | target (offline) |`;
  const rule = `| --- | ${all.map(() => '---').join(' | ')} | --- |`;
  return [header, rule, ...rows.map(([label, value, target]) => `| ${label} | ${all.map(value).join(' | ')} | ${target} |`)].join('\n');
}
