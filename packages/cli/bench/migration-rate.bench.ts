import { join } from 'node:path';
import { printFigures, type Figure } from '@fastagentic/bench';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { migrateMemories } from '../src/index.js';
import { addAll, temporaryFolder, type SeedMemory } from '../test/cli-fixtures.js';

// Migration rate, libSQL file → libSQL file: the CLI's path (reads a page of 1,000, writes with 500
// adds in flight, each with its idempotency key, committed together by the store) beside the loop a
// script would write first (getAll pages, then `await add` one memory at a time), in the same run.
const MEMORIES = Number(process.env.BENCH_MEMORIES ?? 5_000);
const USERS = 10;
const ROUNDS = 3;

const folder = temporaryFolder();
const source = join(folder.path, 'source.db');
const seed: SeedMemory[] = Array.from({ length: MEMORIES }, (_, i) => ({
  userId: `user-${i % USERS}`,
  text: `entry ${i} about ${['tea', 'bikes', 'rust', 'gardens', 'jazz'][i % 5]} and ${['trains', 'chess', 'maps'][i % 3]} number ${i * 7}`,
  metadata: { n: i },
}));

async function seconds(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function naiveLoop(target: string): Promise<void> {
  const from = new LibsqlProvider({ url: `file:${source}` });
  const to = new LibsqlProvider({ url: `file:${target}` });
  for (let user = 0; user < USERS; user++) {
    let cursor: string | undefined;
    do {
      const page = await from.getAll(`user-${user}`, { limit: 1000, ...(cursor ? { cursor } : {}) });
      for (const memory of page.memories) await to.add(memory.userId, [{ role: 'user', content: memory.memory }], memory.metadata);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  await Promise.all([from.close(), to.close()]);
}

const provider = new LibsqlProvider({ url: `file:${source}` });
await addAll(provider, seed);
await provider.close();

const cliRates: number[] = [];
const loopRates: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Alternating, so drift in the machine's load falls on both alike.
  const cli = () => migrateMemories({ from: `file:${source}`, to: `file:${join(folder.path, `cli-${round}.db`)}` }, { env: {}, progress: false, stdout: process.stdout });
  const loop = () => naiveLoop(join(folder.path, `loop-${round}.db`));
  const [first, second] = round % 2 === 0 ? [cli, loop] : [loop, cli];
  const a = MEMORIES / (await seconds(first));
  const b = MEMORIES / (await seconds(second));
  (round % 2 === 0 ? cliRates : loopRates).push(a);
  (round % 2 === 0 ? loopRates : cliRates).push(b);
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
const figures: Figure[] = [
  {
    name: `migrate ${MEMORIES.toLocaleString('en')} memories, libSQL file → libSQL file (fastagentic-memory migrate)`,
    value: { text: `${Math.round(median(cliRates)).toLocaleString('en')} memories/s` },
    baselineName: 'getAll + `await add` one at a time',
    baseline: { text: `${Math.round(median(loopRates)).toLocaleString('en')} memories/s` },
    ratio: median(cliRates) / median(loopRates),
  },
];
printFigures(`@fastagentic/cli migration rate (median of ${ROUNDS} rounds each)`, figures);
folder.remove();
