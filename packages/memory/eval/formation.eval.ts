// The formation eval: `pnpm eval` (at the root or in packages/memory). Today's raw exchanges beside
// offline formation, on the generated conversation set; the model column is in @fastagentic/ai-sdk.
import { offlineFormation } from '../src/index.js';
import { generateConversationSet } from './conversation-set.js';
import { evaluateMode, formatFigures, formationMode, todaysMode } from './evaluate-formation.js';

const offlineMode = formationMode('offline formation', offlineFormation());

// A warm-up pass on another seed, so no mode pays for compiling the code it runs.
for (const mode of [todaysMode, offlineMode]) await evaluateMode(mode, generateConversationSet(99));
const set = generateConversationSet();
const figures = [await evaluateMode(todaysMode, set), await evaluateMode(offlineMode, set)];
console.log(formatFigures(set, figures));
