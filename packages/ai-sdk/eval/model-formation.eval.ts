// The formation eval with its model column: `pnpm eval` at the root. The model is a scripted mock
// (`MockLanguageModelV3` from `ai/test`): no real model can be downloaded here, so the column
// measures the plumbing (one call per turn, the answer parsed and applied through the contract,
// calls and tokens counted), not a model's judgement.
import { estimateTokens, extractStatements, factSlots, offlineFormation } from '@fastagentic/memory';
import { terms } from '@fastagentic/memory/provider';
import { MockLanguageModelV3 } from 'ai/test';
import { generateConversationSet } from '../../memory/eval/conversation-set.js';
import { evaluateMode, formatFigures, formationMode, todaysMode } from '../../memory/eval/evaluate-formation.js';
import { modelFormation, type FormationModelShape } from '../src/index.js';

/** Answers like a model would, from the prompt alone: the user's statements, each against the numbered memories. */
function scriptedAnswer(prompt: string): string {
  const said = /The user said:\n([\s\S]*?)\n\nTheir related memories:\n/.exec(prompt)?.[1] ?? '';
  const memories = [...prompt.matchAll(/^(\d+)\. (.*)$/gm)].map(([, number, text]) => ({ number: Number(number), text: text! }));
  const facts = extractStatements(said).statements.map(({ text }) => {
    const [slot] = factSlots(text);
    const own = new Set(terms(text));
    const same = memories.find((memory) => {
      const other = new Set(terms(memory.text));
      const shared = [...own].filter((term) => other.has(term)).length;
      return shared / (own.size + other.size - shared) >= 0.75;
    });
    if (same) return { text, action: 'none', memory: same.number };
    const held = slot && memories.find((memory) => factSlots(memory.text).some((other) => other.slot === slot.slot));
    if (held && slot?.single) return { text, action: 'update', memory: held.number };
    if (held && factSlots(held.text).some((other) => other.value.toLowerCase() === slot!.value.toLowerCase())) {
      return { text, action: 'none', memory: held.number };
    }
    return { text, action: 'add' };
  });
  return JSON.stringify({ facts, profile: {} });
}

let calls = 0;
let inputTokens = 0;
let outputTokens = 0;
const model = new MockLanguageModelV3({
  provider: 'scripted',
  modelId: 'mock',
  doGenerate: async ({ prompt }) => {
    const text = JSON.stringify(prompt);
    const reply = scriptedAnswer(prompt.map((message) => (typeof message.content === 'string' ? message.content : message.content.map((part) => ('text' in part ? part.text : '')).join(''))).join('\n'));
    calls++;
    inputTokens += estimateTokens(text);
    outputTokens += estimateTokens(reply);
    return {
      content: [{ type: 'text', text: reply }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: estimateTokens(text), noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: estimateTokens(reply), text: undefined, reasoning: undefined },
      },
      warnings: [],
    };
  },
});

const formation = modelFormation({ model: model as unknown as FormationModelShape, fallback: offlineFormation() });
const modelMode = formationMode('model formation (scripted mock)', formation, () => ({ calls, inputTokens, outputTokens }));
const offlineMode = formationMode('offline formation', offlineFormation());

// A warm-up pass on another seed, so no mode pays for compiling the code it runs.
for (const mode of [todaysMode, offlineMode, modelMode]) await evaluateMode(mode, generateConversationSet(99));
calls = inputTokens = outputTokens = 0;
const set = generateConversationSet();
const figures = [await evaluateMode(todaysMode, set), await evaluateMode(offlineMode, set), await evaluateMode(modelMode, set)];
console.log(formatFigures(set, figures));
