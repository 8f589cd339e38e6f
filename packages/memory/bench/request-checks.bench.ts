import { comparePair, printFigures, type Figure } from '@fastagentic/bench';
import { formatMemoryContext, type Memory } from '../src/index.js';
import { parseGetAllOptions, parseSearchOptions, validateQuery, validateUserId } from '../src/provider.js';
import {
  memoryContextV1,
  parseGetAllOptionsV1,
  parseMemoryFilterV1,
  parseSearchOptionsV1,
  validateUserIdV1,
} from './request-checks-v1.js';

// One chat turn as the App and the AI SDK middleware run it: the injector's search (user id, query,
// search options) and the session's page (user id, page options with the session filter), then
// the block for the system message from 10 memories and 10 session turns.
const now = new Date().toISOString();
const memory = (index: number, text: string): Memory => ({
  id: `m-${index}`,
  userId: 'user-42@example.com',
  memory: text,
  metadata: {},
  createdAt: now,
  updatedAt: now,
});
const memories = Array.from({ length: 10 }, (_, i) =>
  memory(i, `Prefers window seats on long flights and books trip number ${i} to Lisbon in the spring`),
);
const sessionMemories = Array.from({ length: 10 }, (_, i) =>
  memory(100 + i, `user: What about hotels near the old town for night ${i}?\nassistant: Two close to the tram, both quiet at night.`),
);
const userId = 'user-42@example.com';
const query = 'Any tips for my Lisbon trip next week?';
const signal = new AbortController().signal;

let sink = 0;

function checks(): void {
  validateUserId(userId, 'request.userId');
  validateUserId(userId);
  validateQuery(query);
  parseSearchOptions({ limit: 10, signal });
  validateUserId(userId);
  parseGetAllOptions({ limit: 10, filters: { sessionId: 'session-7' }, signal });
}

function checksV1(): void {
  validateUserIdV1(userId, 'request.userId');
  validateUserIdV1(userId);
  validateQuery(query);
  parseSearchOptionsV1({ limit: 10, signal });
  validateUserIdV1(userId);
  parseGetAllOptionsV1({ limit: 10, filters: { sessionId: 'session-7' }, signal });
}

const block = () => (sink += formatMemoryContext({ memories, sessionMemories }).length);
const blockV1 = () => (sink += memoryContextV1(memories, sessionMemories).length);

const refused = (run: () => unknown) => {
  try {
    run();
  } catch {
    sink++;
  }
};

const figures: Figure[] = [];
for (const [name, candidate, baseline] of [
  ['checks (3 ids, query, search and page options)', checks, checksV1],
  ['memory block (10 memories, 10 session turns)', block, blockV1],
  [
    'chat turn: checks + memory block',
    () => (checks(), block()),
    () => (checksV1(), blockV1()),
  ],
] as const) {
  const pair = await comparePair({
    name,
    baselineName: 'v1: without well-formed ids, filter bounds, framing',
    baseline,
    candidate,
    iterations: 20_000,
    warmup: 2_000,
  });
  const addedUs = (pair.candidate.medianMs - pair.baseline.medianMs) * 1000;
  figures.push({
    name: `${pair.name}; added ${addedUs.toFixed(1)} µs`,
    value: pair.candidate,
    baselineName: pair.baselineName,
    baseline: pair.baseline,
    ratio: pair.medianRatio,
    target: 'added ≤ 20 µs',
    met: addedUs <= 20,
  });
}

// The requests of the report: refused now after a length check, parsed whole before.
const strings = Array.from({ length: 60_000 }, (_, i) => `tag-${i}`);
const clauses = Array.from({ length: 20_000 }, (_, i) => ({ priority: i }));
for (const [label, filters] of [
  ['search with an in of 60,000 strings', { tags: { in: strings } }],
  ['search with an OR of 20,000 clauses', { OR: clauses }],
] as const) {
  const pair = await comparePair({
    name: `${label}: refused`,
    baselineName: 'v1: parsed and accepted',
    baseline: () => parseMemoryFilterV1(filters),
    candidate: () => refused(() => parseSearchOptions({ limit: 10, filters })),
    iterations: 200,
    warmup: 20,
  });
  figures.push({ name: pair.name, value: pair.candidate, baselineName: pair.baselineName, baseline: pair.baseline, ratio: pair.medianRatio });
}

printFigures('Request checks and the memory block (one chat turn, in-process)', figures);
if (sink < 0) console.log(sink);
