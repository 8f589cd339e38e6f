// Adapter overhead over calling mem0ai directly, both against the same local Mem0 server, and
// Mem0's delete-all against the spec's getAll-then-delete forget loop for 1,000 memories.
// Run: pnpm --filter @fastagentic/mem0 bench
import { randomUUID } from 'node:crypto';
import { comparePair, printFigures, type Figure, type Stats } from '@fastagentic/bench';
import { MemoryClient } from 'mem0ai';
import { Mem0Provider } from '../src/index.js';
import { Mem0PlatformServer } from '../test/mem0-platform-server.js';

const server = await new Mem0PlatformServer({ apiKey: 'bench-key' }).start();
const provider = new Mem0Provider({ apiKey: 'bench-key', host: server.url });
const client = new MemoryClient({ apiKey: 'bench-key', host: server.url });
const messages = [{ role: 'user' as const, content: 'Benchmark fact about green tea' }];

function seed(userId: string, count: number): void {
  const stamp = Date.now();
  for (let i = 0; i < count; i++) {
    const id = randomUUID();
    const at = new Date(stamp - i).toISOString();
    server.memories.set(id, {
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

seed('bench-user', 20);
const filters = { AND: [{ user_id: 'bench-user' }] };
const target = 'ratio <= 1.10';
const iterations = 600;
const warmup = 60;
const pairs = [
  await comparePair({
    name: 'Mem0Provider.search',
    iterations,
    warmup,
    baselineName: 'MemoryClient.search',
    baseline: () => client.search('green tea', { filters, topK: 10 }),
    candidate: () => provider.search('bench-user', 'green tea'),
  }),
  await comparePair({
    name: 'Mem0Provider.getAll (20 memories)',
    iterations,
    warmup,
    baselineName: 'MemoryClient.getAll',
    baseline: () => client.getAll({ filters, page: 1, pageSize: 100 }),
    candidate: () => provider.getAll('bench-user'),
  }),
  await comparePair({
    name: 'Mem0Provider.add',
    iterations,
    warmup,
    baselineName: 'MemoryClient.add',
    baseline: () => client.add(messages, { userId: 'bench-add', metadata: { category: 'x' } }),
    candidate: () => provider.add('bench-add', messages, { category: 'x' }),
  }),
];
const overhead: Figure[] = pairs.map((pair) => ({
  name: pair.name,
  value: pair.candidate,
  baselineName: pair.baselineName,
  baseline: pair.baseline,
  target,
  met: pair.medianRatio <= 1.1,
}));

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
    seed(userId, 1000);
    const started = performance.now();
    const deleted = await forget(userId);
    samples.push(performance.now() - started);
    if (deleted !== 1000) throw new Error(`expected 1000 deleted, got ${deleted}`);
  }
}
const bulkStats = stats(bulk);
const loopStats = stats(loop);

printFigures('Adapter overhead per call (local Mem0 server, same process)', overhead);
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
