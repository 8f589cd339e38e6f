// The formation eval: `pnpm eval` (at the root or in packages/memory). Today's raw exchanges beside
// offline formation, on the generated conversation set; the model column is in @fastagentic/ai-sdk.
import { formMemories, offlineFormation } from '../src/index.js';
import { generateConversationSet } from './conversation-set.js';
import { evaluateMode, formatFigures, formationInjector, todaysMode, type Mode } from './evaluate-formation.js';

const formation = offlineFormation();

export const offlineMode: Mode = {
  name: 'offline formation',
  inject: formationInjector,
  store: async (provider, turn, injected) => {
    await formMemories(
      provider,
      { userId: turn.userId, messages: [{ role: 'user', content: turn.text }], injected: injected.memories, sessionId: `s${turn.session}`, turn: turn.index, source: 'chat' },
      { formation },
    );
  },
};

// A warm-up pass on another seed, so no mode pays for compiling the code it runs.
for (const mode of [todaysMode, offlineMode]) await evaluateMode(mode, generateConversationSet(99));
const set = generateConversationSet();
const figures = [await evaluateMode(todaysMode, set), await evaluateMode(offlineMode, set)];
console.log(formatFigures(set, figures));
