// Adapter overhead against calling mem0ai's MemoryClient directly, both against the same local
// Mem0 server, and Mem0's delete-all against the spec's getAll-then-delete forget loop for
// 1,000 memories. Run: pnpm --filter @fastagentic/mem0 bench
import { randomUUID } from 'node:crypto';
import { comparePair, printFigures, type Figure, type PairResult, type Stats } from '@fastagentic/bench';
import { Mem0Provider } from '../src/index.js';
import { Mem0PlatformServer } from '../test/mem0-platform-server.js';

// mem0ai reads MEM0_TELEMETRY when it loads: the baseline client must not post analytics either.
process.env.MEM0_TELEMETRY = 'false';
const { MemoryClient } = await import('mem0ai');

const server = await new Mem0PlatformServer({ apiKey: 'bench-key' }).start();
const provider = new Mem0Provider({ apiKey: 'bench-key', baseUrl: server.url });
const messages = [{ role: 'user' as const, content: 'Benchmark fact about green tea' }];

function seed(target: Mem0PlatformServer, userId: string, count: number): void {
  const stamp = Date.now();
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const at = new Date(stamp - i).toISOString();
    target.memories.set(id, {
      id,
      memory: `Seeded fact ${i} about green tea`,
      user_id: userId,
      metadata: { category: i % 2 === 0 ? 'preferences' : 'profile' },
      categories: [],
      created_at: at,
      updated_at: at,
    });
  }
}

seed(server, 'bench-user', 20);
const filters = { AND: [{ user_id: 'bench-user' }] };
const TARGET_RATIO = 1.0;
const ROUNDS = 5;

/** The median round (by median ratio) of ROUNDS alternating comparePair rounds. */
async function medianRound(options: Parameters<typeof comparePair>[0]): Promise<PairResult> {
  const rounds: PairResult[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push(await comparePair(options));
  rounds.sort((a, b) => a.medianRatio - b.medianRatio);
  return rounds[Math.floor(ROUNDS / 2)]!;
}

/** The three calls, adapter against mem0ai, against one server. */
async function overheadFigures(baseUrl: string, iterations: number): Promise<Figure[]> {
  const adapter = new Mem0Provider({ apiKey: 'bench-key', baseUrl });
  const direct = new MemoryClient({ apiKey: 'bench-key', host: baseUrl });
  const warmup = 30;
  const pairs = [
    await medianRound({
      name: 'Mem0Provider.search',
      baselineName: 'MemoryClient.search',
      iterations,
      warmup,
      baseline: () => direct.search('green tea', { filters, topK: 10 }),
      candidate: () => adapter.search('bench-user', 'green tea'),
    }),
    await medianRound({
      name: 'Mem0Provider.getAll (20 memories)',
      baselineName: 'MemoryClient.getAll',
      iterations,
      warmup,
      baseline: () => direct.getAll({ filters, page: 1, pageSize: 100 }),
      candidate: () => adapter.getAll('bench-user'),
    }),
    await medianRound({
      name: 'Mem0Provider.add',
      baselineName: 'MemoryClient.add',
      iterations,
      warmup,
      baseline: () => direct.add(messages, { userId: 'bench-add', metadata: { category: 'x' } }),
      candidate: () => adapter.add('bench-add', messages, { category: 'x' }),
    }),
  ];
  return pairs.map((pair) => ({
    name: pair.name,
    value: pair.candidate,
    baselineName: pair.baselineName,
    baseline: pair.baseline,
    ratio: pair.medianRatio,
    target: `median ratio <= ${TARGET_RATIO.toFixed(2)} (median of ${ROUNDS} rounds)`,
    met: pair.medianRatio <= TARGET_RATIO,
  }));
}

const overhead = await overheadFigures(server.url, 300);
// The same server with 5 ms added before each answer: a (short) network hop, as to api.mem0.ai.
const distant = await new Mem0PlatformServer({ apiKey: 'bench-key', latencyMs: 5 }).start();
seed(distant, 'bench-user', 20);
const overheadAtDistance = await overheadFigures(distant.url, 60);
await distant.stop();

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { samples: sorted.length, medianMs: median, p99Ms: sorted.at(-1)!, meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length };
}

// The spec's forget loop: getAll, then delete each memory (the provider checks ownership per delete).
async function forgetLoop(userId: string): Promise<number> {
  const { memories } = await provider.getAll(userId, { limit: 1000 });
  for (const memory of memories) await provider.delete(userId, memory.id);
  return memories.length;
}

const bulk: number[] = [];
const loop: number[] = [];
for (let run = 0; run < 3; run++) {
  for (const [samples, forget] of [
    [bulk, (userId: string) => provider.deleteAll(userId)],
    [loop, forgetLoop],
  ] as const) {
    const userId = `forget-${run}-${samples === bulk ? 'bulk' : 'loop'}`;
    seed(server, userId, 1000);
    const started = performance.now();
    const deleted = await forget(userId);
    samples.push(performance.now() - started);
    if (deleted !== 1000) throw new Error(`expected 1000 deleted, got ${deleted}`);
  }
}
const bulkStats = stats(bulk);
const loopStats = stats(loop);

printFigures('Adapter overhead per call (local Mem0 server, same process)', overhead);
printFigures('Adapter overhead per call (same server, 5 ms simulated network latency)', overheadAtDistance);
printFigures('Forgetting a user with 1,000 memories (3 runs each)', [
  {
    name: 'Mem0Provider.deleteAll (one listing + one delete-all)',
    value: bulkStats,
    baselineName: "spec's getAll + delete loop",
    baseline: loopStats,
    target: 'faster than the loop',
    met: bulkStats.medianMs < loopStats.medianMs,
  },
]);
await server.stop();
