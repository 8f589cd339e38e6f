import { comparePair, printFigures } from '@fastagentic/bench';
import { InMemoryProvider, injectMemory } from '@fastagentic/memory';
import { generateText, wrapLanguageModel } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { memoryMiddleware } from '../src/index.js';

// What the middleware adds to one generateText: the same mock model bare, and wrapped with
// injection (a relevant search over the user's memories) plus storage of the turn (awaited with
// flush(), so the write is inside the measured time), alternated in the same run. The user has
// 1,000 memories on 200 subjects; each question is about one subject (about five memories match,
// plus the turns stored about it earlier in the run).
const MEMORIES = 1000;
const SUBJECTS = 200;
const TARGET_MS = 0.2;

const memory = new InMemoryProvider();
for (let i = 0; i < MEMORIES; i++) {
  await memory.add('bench-user', [{ role: 'user', content: `Note ${i}: I keep thinking about subject${i % SUBJECTS} lately` }]);
}
const model = new MockLanguageModelV3({
  doGenerate: async () => ({
    content: [{ type: 'text', text: 'Here is an answer.' }],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: {
      inputTokens: { total: 3, noCache: 3, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 5, text: 5, reasoning: undefined },
    },
    warnings: [],
  }),
});
const middleware = memoryMiddleware({ memory, inject: injectMemory({ strategy: 'relevant', maxMemories: 5 }) });
const wrapped = wrapLanguageModel({ model, middleware });
const providerOptions = { fastagentic: { userId: 'bench-user' } };
// A distinct turn per call, so every write stores (a repeated turn would be deduplicated by its key).
let turn = 0;
// Only the subject and a per-turn reference word: words shared by every question would make every stored turn match every later one.
const question = (n: number) => `subject${n % SUBJECTS} ref${n}`;

const result = await comparePair({
  name: `generateText + memoryMiddleware (relevant search over ${MEMORIES} memories, turn stored)`,
  baselineName: 'generateText, bare mock model',
  baseline: () => generateText({ model, prompt: question(turn++), providerOptions }),
  candidate: async () => {
    await generateText({ model: wrapped, prompt: question(turn++), providerOptions });
    await middleware.flush();
  },
  iterations: 1000,
  warmup: 100,
});
const addedMs = result.candidate.medianMs - result.baseline.medianMs;
printFigures('memoryMiddleware overhead per generateText (in-memory provider)', [
  {
    name: result.name,
    value: result.candidate,
    baselineName: result.baselineName,
    baseline: result.baseline,
  },
  {
    name: 'added per call (median difference)',
    value: { text: `${(addedMs * 1000).toFixed(1)} µs` },
    target: `<= ${TARGET_MS} ms`,
    met: addedMs <= TARGET_MS,
  },
]);
