import { comparePair, printFigures, type Figure, type PairResult } from '@fastagentic/bench';
import { ZepClient } from '@getzep/zep-cloud';
import { ZepProvider, zepThreadIdFor, zepUserIdFor } from '../src/index.js';
import { startZepTestServer } from '../test/zep-test-server.js';

// Adapter cost: each ZepProvider call (fetch) beside the @getzep/zep-cloud 3.30 ZepClient call a
// developer would make directly, against the same local Zep test server (in this process),
// alternated run by run; each figure is the median of ROUNDS rounds.
// Run: pnpm --filter @fastagentic/zep bench
const server = await startZepTestServer({ ingestDelayMs: 5 });
const provider = new ZepProvider({ apiKey: server.apiKey, baseUrl: server.baseUrl });
const client = new ZepClient({ apiKey: server.apiKey, baseUrl: server.baseUrl });
const userId = 'bench-user';
const zepUser = await zepUserIdFor(userId);
const thread = zepThreadIdFor(zepUser);

const topics = ['tea', 'coffee', 'cycling', 'piano', 'Berlin', 'Lisbon', 'cats', 'dogs', 'chess', 'hiking'];
for (let i = 0; i < 20; i++) {
  const content = `Likes ${topics[i % topics.length]} number ${i}`;
  await provider.add(userId, [{ role: 'user', content }], { category: 'seed', i });
}
while ((await provider.getAll(userId)).memories.length < 20) await new Promise((resolve) => setTimeout(resolve, 20));
const someId = (await provider.getAll(userId, { limit: 1 })).memories[0]!.id;

interface Pair {
  name: string;
  baselineName: string;
  candidate: () => Promise<unknown>;
  baseline: () => Promise<unknown>;
  /** False for a baseline that does less than the candidate: shown, not judged. */
  equivalent: boolean;
}

const pairs: Pair[] = [
  {
    name: 'ZepProvider.search',
    baselineName: 'client.graph.search',
    candidate: () => provider.search(userId, 'likes cycling piano', { limit: 10 }),
    baseline: () =>
      client.graph.search({ userId: zepUser, query: 'likes cycling piano', scope: 'edges', limit: 10, reranker: 'cross_encoder' }),
    equivalent: true,
  },
  {
    name: 'ZepProvider.getAll (20 facts)',
    baselineName: 'client.graph.edge.getByUserId',
    candidate: () => provider.getAll(userId),
    baseline: () => client.graph.edge.getByUserId(zepUser, { limit: 100 }),
    equivalent: true,
  },
  // get checks ownership by asking for the uuid within the user's graph: the same SDK call is the baseline.
  {
    name: 'ZepProvider.get',
    baselineName: 'client.graph.edge.getByUserId (edge_uuids filter)',
    candidate: () => provider.get(userId, someId),
    baseline: () => client.graph.edge.getByUserId(zepUser, { limit: 1, filters: { edgeUuids: [someId] } }),
    equivalent: true,
  },
  {
    name: 'ZepProvider.get',
    baselineName: 'client.graph.edge.get (no ownership check)',
    candidate: () => provider.get(userId, someId),
    baseline: () => client.graph.edge.get(someId),
    equivalent: false,
  },
  // Last: adds grow the user's facts, which the calls above read.
  {
    name: 'ZepProvider.add',
    baselineName: 'client.thread.addMessages',
    candidate: () => provider.add(userId, [{ role: 'user', content: 'Bench message from the adapter' }], { category: 'bench' }),
    baseline: () =>
      client.thread.addMessages(thread, {
        messages: [{ role: 'user', content: 'Bench message from the SDK', metadata: { category: 'bench' } }],
      }),
    equivalent: true,
  },
];

const TARGET_RATIO = 1.0;
const ROUNDS = 5;

/** The median round (by median ratio) of ROUNDS alternating comparePair rounds. */
async function medianRound(options: Parameters<typeof comparePair>[0]): Promise<PairResult> {
  const rounds: PairResult[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await comparePair(options));
  rounds.sort((a, b) => a.medianRatio - b.medianRatio);
  return rounds[Math.floor(ROUNDS / 2)]!;
}

const figures: Figure[] = [];
for (const pair of pairs) {
  const result = await medianRound({ ...pair, iterations: 300, warmup: 30 });
  figures.push({
    name: pair.name,
    value: result.candidate,
    baselineName: pair.baselineName,
    baseline: result.baseline,
    ratio: result.medianRatio,
    target: pair.equivalent ? `median ratio <= ${TARGET_RATIO.toFixed(2)} (median of ${ROUNDS} rounds)` : 'not equivalent: shown for reference',
    ...(pair.equivalent ? { met: result.medianRatio <= TARGET_RATIO } : {}),
  });
}
printFigures('@fastagentic/zep (fetch) against @getzep/zep-cloud ZepClient (local Zep test server, same run)', figures);
await server.close();
