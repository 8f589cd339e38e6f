import { comparePair, formatDuration, printFigures, type Figure, type PairResult } from '@fastagentic/bench';
import { InMemoryProvider, type MemoryProvider } from '@fastagentic/memory';
import { withEncryption as withNodeEncryption } from '../src/node/with-encryption.js';
import { withEncryption as withWebEncryption } from '../src/with-encryption.js';

// Overhead of encryption at rest per memory, each figure beside the bare provider in the same run:
// the Node entry (node:crypto), then, for reference, the default entry (WebCrypto) on the same machine.
const TARGET_US = 50;
const WORDS = (
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec ' +
  'romeo sierra tango uniform victor whiskey xray yankee zulu harbour garden engine violet marble copper'
).split(' ');

let randomState = 42;
function random(): number {
  randomState = (randomState * 1_103_515_245 + 12_345) % 2_147_483_648;
  return randomState / 2_147_483_648;
}

/** About 1 KiB of words: the memory size the target is set for. */
function kibibyteText(): string {
  let text = '';
  while (text.length < 1024) text += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return text.slice(0, 1024);
}

interface Pair {
  bare: MemoryProvider;
  /** Decrypts on every read (cacheSize 0): the first read of each memory. */
  cold: MemoryProvider;
  /** The default cache: repeated reads of memories already decrypted. */
  warm: MemoryProvider;
}

interface Implementation {
  label: string;
  withEncryption: typeof withNodeEncryption;
  /** Search sizes measured, with iterations for each. */
  searches: ReadonlyArray<readonly [memories: number, iterations: number]>;
  getAllPage: boolean;
}

const implementations: Implementation[] = [
  {
    label: 'node:crypto',
    withEncryption: withNodeEncryption,
    searches: [
      [100, 100],
      [1_000, 20],
      [10_000, 5],
    ],
    getAllPage: true,
  },
  // For reference only, so bounded: WebCrypto's cold search over 10,000 memories takes seconds.
  {
    label: 'WebCrypto',
    withEncryption: withWebEncryption,
    searches: [
      [100, 50],
      [1_000, 10],
    ],
    getAllPage: false,
  },
];

function makePair({ withEncryption }: Implementation): Pair {
  const key = crypto.getRandomValues(new Uint8Array(32));
  const backend = new InMemoryProvider();
  return {
    bare: new InMemoryProvider(),
    cold: withEncryption(backend, { key, filterableFields: ['category'], cacheSize: 0 }),
    warm: withEncryption(backend, { key, filterableFields: ['category'] }),
  };
}

function perMemory(result: PairResult, memories: number): Figure {
  const overheadUs = ((result.candidate.medianMs - result.baseline.medianMs) * 1000) / memories;
  return {
    name: `  overhead per memory (${memories} memor${memories === 1 ? 'y' : 'ies'})`,
    value: { text: `${overheadUs.toFixed(1)} µs` },
    target: `< ${TARGET_US} µs`,
    met: overheadUs < TARGET_US,
  };
}

function pairFigure(result: PairResult): Figure {
  return { name: result.name, value: result.candidate, baselineName: result.baselineName, baseline: result.baseline };
}

/** Seeds through the cold wrapper, so the warm one's cache fills only by reading. */
async function seed(pair: Pair, userId: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const messages = [{ role: 'user' as const, content: kibibyteText() }];
    const metadata = { category: `c${i % 5}` };
    await pair.bare.add(userId, messages, metadata);
    await pair.cold.add(userId, messages, metadata);
  }
}

const figures: Figure[] = [];

for (const implementation of implementations) {
  const { label } = implementation;
  {
    const pair = makePair(implementation);
    const text = kibibyteText();
    const add = await comparePair({
      name: `add 1 KiB memory (${label})`,
      baselineName: 'bare InMemoryProvider.add',
      baseline: () => pair.bare.add('adder', [{ role: 'user', content: text }], { category: 'c1' }),
      candidate: () => pair.cold.add('adder', [{ role: 'user', content: text }], { category: 'c1' }),
      iterations: 2_000,
      warmup: 200,
    });
    figures.push(pairFigure(add), perMemory(add, 1));
  }

  if (implementation.getAllPage) {
    const pair = makePair(implementation);
    await seed(pair, 'pager', 100);
    for (const which of ['cold', 'warm'] as const) {
      const page = await comparePair({
        name: `getAll page of 100, ${which} (${label})`,
        baselineName: 'bare getAll',
        baseline: () => pair.bare.getAll('pager', { limit: 100 }),
        candidate: () => pair[which].getAll('pager', { limit: 100 }),
        iterations: 100,
        warmup: 10,
      });
      figures.push(pairFigure(page), perMemory(page, 100));
    }
  }

  for (const [memories, iterations] of implementation.searches) {
    const pair = makePair(implementation);
    const userId = `searcher-${memories}`;
    await seed(pair, userId, memories);
    for (const which of ['cold', 'warm'] as const) {
      const search = await comparePair({
        name: `search over ${memories} memories, ${which} (${label})`,
        baselineName: 'bare InMemoryProvider.search (indexed)',
        baseline: () => pair.bare.search(userId, 'harbour violet copper'),
        candidate: () => pair[which].search(userId, 'harbour violet copper'),
        iterations,
        warmup: 2,
      });
      figures.push(pairFigure(search), perMemory(search, memories));
      console.error(`${label} search over ${memories}, ${which}: median ${formatDuration(search.candidate.medianMs)}`);
    }
  }
}

{
  // What the default cache costs in heap: fill it with 10,000 decrypted memories by one search.
  const gc = (globalThis as { gc?: () => void }).gc;
  const pair = makePair(implementations[0]!);
  await seed(pair, 'heap', 10_000);
  gc?.();
  const before = process.memoryUsage().heapUsed;
  await pair.warm.search('heap', 'harbour violet copper');
  gc?.();
  const perMemory = (process.memoryUsage().heapUsed - before) / 10_000;
  figures.push({ name: 'heap held by the cache per 1 KiB memory', value: { text: `${(perMemory / 1024).toFixed(1)} KiB` } });
}

printFigures(`withEncryption overhead (1 KiB memories, Node ${process.versions.node})`, figures);
