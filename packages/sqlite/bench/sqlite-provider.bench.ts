import { statSync } from 'node:fs';
import { createClient } from '@libsql/client';
import { comparePair, measure, printFigures, type Figure, type PairResult, type Stats } from '@fastagentic/bench';
import {
  InMemoryProvider,
  type MemoryProvider,
  type Embedder,
} from '@fastagentic/memory';
import { LibsqlProvider } from '../src/index.js';
import { temporaryFolder } from '../test/temporary-database.js';

// Synthetic memories: 8-12 words each from a 5,000-word vocabulary with Zipf-like frequencies,
// so a few words are in most memories (broad queries) and most words are rare (typical queries).
const folder = temporaryFolder('bench');
const SYLLABLES = ['ka', 'ri', 'to', 'me', 'lu', 'pa', 'no', 've', 'di', 'zo', 'fe', 'gu', 'ha', 'ji', 'qo', 'wy', 'be', 'xa'];
const VOCABULARY = Array.from({ length: 5_000 }, (_, rank) => {
  let word = '';
  for (let n = rank + 1; n > 0; n = Math.floor(n / SYLLABLES.length)) word += SYLLABLES[n % SYLLABLES.length];
  return `${word}r`;
});
const CUMULATIVE = (() => {
  const weights = VOCABULARY.map((_, rank) => 1 / (rank + 1));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let running = 0;
  return weights.map((weight) => (running += weight / total));
})();

function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const next = generator(42);
function zipfWord(): string {
  const target = next();
  let low = 0;
  let high = CUMULATIVE.length - 1;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (CUMULATIVE[mid]! < target) low = mid + 1;
    else high = mid;
  }
  return VOCABULARY[low]!;
}
const sentence = () => Array.from({ length: 8 + Math.floor(next() * 5) }, zipfWord).join(' ');
const note = (content: string) => [{ role: 'user' as const, content }];
// Typical queries: three words of middling frequency. Broad: the three most frequent words.
const typicalQueries = Array.from({ length: 50 }, () =>
  Array.from({ length: 3 }, () => VOCABULARY[20 + Math.floor(next() * 1_980)]).join(' '),
);
const broadQuery = VOCABULARY.slice(0, 3).join(' ');

/** Adds `texts` through the provider's own path, many at once so they commit in shared transactions. */
async function load(providers: MemoryProvider[], userId: string, texts: string[]): Promise<void> {
  for (let start = 0; start < texts.length; start += 2_000) {
    const slice = texts.slice(start, start + 2_000);
    for (const provider of providers) await Promise.all(slice.map((text) => provider.add(userId, note(text))));
  }
}

const figures: Figure[] = [];
const fromPair = (pair: PairResult, target?: string, met?: boolean): Figure => ({
  name: pair.name,
  value: pair.candidate,
  baselineName: pair.baselineName,
  baseline: pair.baseline,
  ...(target ? { target, met } : {}),
});
const text = (value: string) => ({ text: value });
const perMemory = (stats: Stats, count: number) => `${((stats.medianMs * 1000) / count).toFixed(1)} µs per memory (median of a ${count}-add transaction: ${stats.medianMs.toFixed(1)} ms)`;

const user = 'bench-user';
const soloFile = folder.file('solo.db');
const solo = new LibsqlProvider({ url: `file:${soloFile}` });
const inMemory = new InMemoryProvider();
const texts = Array.from({ length: 100_000 }, sentence);
let loaded = 0;

for (const [size, p99Target] of [
  [1_000, undefined],
  [10_000, 10],
  [100_000, 25],
] as const) {
  const started = performance.now();
  await load([solo, inMemory], user, texts.slice(loaded, size));
  console.log(`loaded ${size} memories (${((performance.now() - started) / 1000).toFixed(1)} s for ${size - loaded} into both)`);
  loaded = size;
  const pair = await comparePair({
    name: `search, ${size.toLocaleString('en')} memories of one user (typical 3-word query)`,
    baselineName: 'InMemoryProvider, same data',
    candidate: (run) => solo.search(user, typicalQueries[run % typicalQueries.length]!, { limit: 10 }),
    baseline: (run) => inMemory.search(user, typicalQueries[run % typicalQueries.length]!, { limit: 10 }),
    iterations: 400,
  });
  figures.push(fromPair(pair, p99Target ? `p99 < ${p99Target} ms` : undefined, p99Target ? pair.candidate.p99Ms < p99Target : undefined));

  if (size === 10_000) {
    // The same user's 10,000 memories in a file where 1,000 other users hold the same words.
    const crowded = new LibsqlProvider({ url: `file:${folder.file('crowded.db')}` });
    await load([crowded], user, texts.slice(0, 10_000));
    const others = Array.from({ length: 1_000 }, (_, index) => `other-${index}`);
    for (let start = 0; start < others.length; start += 100) {
      await Promise.all(
        others.slice(start, start + 100).flatMap((other) => Array.from({ length: 20 }, () => crowded.add(other, note(sentence())))),
      );
    }
    const crowdedPair = await comparePair({
      name: 'search, the same 10,000 memories with 1,000 other users (20,000 memories) holding the same words',
      baselineName: 'the user alone in the file',
      candidate: (run) => crowded.search(user, typicalQueries[run % typicalQueries.length]!, { limit: 10 }),
      baseline: (run) => solo.search(user, typicalQueries[run % typicalQueries.length]!, { limit: 10 }),
      iterations: 400,
    });
    figures.push(fromPair(crowdedPair, 'median ratio <= 1.15', crowdedPair.medianRatio <= 1.15));
    await crowded.close();
  }
}

const broad = await comparePair({
  name: `search, 100,000 memories, broad query (its words in most memories; ${'capped'} at 5,000 postings per term)`,
  baselineName: 'InMemoryProvider, same data',
  candidate: () => solo.search(user, broadQuery, { limit: 10 }),
  baseline: () => inMemory.search(user, broadQuery, { limit: 10 }),
  iterations: 40,
  warmup: 5,
});
figures.push(fromPair(broad));

// add: one at a time (each its own transaction, committed before it resolves), and 500 at once.
const single = await comparePair({
  name: 'add, one at a time (one committed transaction each)',
  baselineName: 'InMemoryProvider.add',
  candidate: (run) => solo.add('add-user', note(texts[run % texts.length]!)),
  baseline: (run) => inMemory.add('add-user', note(texts[run % texts.length]!)),
  iterations: 300,
});
figures.push(fromPair(single));
// update: the memories just added get new texts (old postings out, new in, a version recorded).
const updatable = (await solo.getAll('add-user', { limit: 300 })).memories.map((memory) => memory.id);
const updates = await comparePair({
  name: 'update, one at a time (new text re-indexed, its version recorded; one committed transaction each)',
  baselineName: 'add, one at a time, same run',
  candidate: (run) => solo.update('add-user', updatable[run % updatable.length]!, { text: texts[(run + 5_000) % texts.length]! }),
  baseline: (run) => solo.add('add-user', note(texts[run % texts.length]!)),
  iterations: 300,
});
figures.push(fromPair(updates));
const batchSize = 500;
const batch = await measure(() => Promise.all(texts.slice(0, batchSize).map((t) => solo.add('batch-user', note(t)))), {
  iterations: 10,
  warmup: 2,
});
const batchBaseline = await measure(() => Promise.all(texts.slice(0, batchSize).map((t) => inMemory.add('batch-user', note(t)))), {
  iterations: 10,
  warmup: 2,
});
figures.push({
  name: `add, ${batchSize} at once (one transaction)`,
  value: text(perMemory(batch, batchSize)),
  baselineName: 'InMemoryProvider, same adds',
  baseline: text(perMemory(batchBaseline, batchSize)),
  ratio: batch.medianMs / batchBaseline.medianMs,
});
await solo.close();

// Cold open: a new client on the 100k file up to the first search's result.
const cold = await comparePair({
  name: 'cold open to first search, 100,000-memory file',
  baselineName: 'raw @libsql/client open + SELECT 1',
  candidate: async (run) => {
    const reopened = new LibsqlProvider({ url: `file:${soloFile}` });
    await reopened.search(user, typicalQueries[run % typicalQueries.length]!);
    await reopened.close();
  },
  baseline: async () => {
    const client = createClient({ url: `file:${soloFile}` });
    await client.execute('SELECT 1');
    client.close();
  },
  iterations: 20,
  warmup: 2,
});
figures.push(fromPair(cold));

const count = loaded + 300 + 300 + 22 + 12 * batchSize;
const bytes = statSync(soloFile).size + (statSync(`${soloFile}-wal`, { throwIfNoEntry: false })?.size ?? 0);
figures.push({ name: 'file size per memory (100k short memories, index included)', value: text(`${Math.round(bytes / count)} bytes (${(bytes / 2 ** 20).toFixed(1)} MiB for ${count.toLocaleString('en')})`) });

// The vector path: exact cosine over every stored vector of the user.
const dimensions = 384;
const hashEmbedder: Embedder = {
  dimensions,
  embed: async (inputs) =>
    inputs.map((input) => {
      const vector = new Array<number>(dimensions).fill(0);
      for (const word of input.split(/\s+/)) {
        let hash = 2166136261;
        for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 16777619);
        vector[(hash >>> 0) % dimensions]! += 1;
      }
      return vector;
    }),
};
const vectors = new LibsqlProvider({ url: `file:${folder.file('vectors.db')}`, embedder: hashEmbedder });
const vectorsInMemory = new InMemoryProvider({ embedder: hashEmbedder });
let vectorLoaded = 0;
for (const size of [1_000, 10_000]) {
  await load([vectors, vectorsInMemory], user, texts.slice(vectorLoaded, size));
  vectorLoaded = size;
  const pair = await comparePair({
    name: `semantic search (exact cosine, ${dimensions} dimensions), ${size.toLocaleString('en')} memories`,
    baselineName: 'InMemoryProvider with the same embedder',
    candidate: (run) => vectors.search(user, typicalQueries[run % typicalQueries.length]!, { limit: 10 }),
    baseline: (run) => vectorsInMemory.search(user, typicalQueries[run % typicalQueries.length]!, { limit: 10 }),
    iterations: size === 1_000 ? 100 : 30,
    warmup: 3,
  });
  figures.push(fromPair(pair));
}
await vectors.close();

// Session memory's read: the 10 newest of a session (every 200th of a user's 10,000 memories) by
// the sessions index, beside the same filter spelled `in`, which reads the user's rows newest first.
const sessions = new LibsqlProvider({ url: `file:${folder.file('sessions.db')}` });
for (let start = 0; start < 10_000; start += 1_000) {
  await Promise.all(
    Array.from({ length: 1_000 }, (_, i) =>
      sessions.add('sessions', note(texts[start + i]!), { sessionId: (start + i) % 200 === 0 ? 'current' : `earlier-${(start + i) % 37}` }),
    ),
  );
}
const sessionPair = await comparePair({
  name: 'getAll filtered by sessionId (10 newest of a 50-memory session, user of 10,000)',
  baselineName: 'the same filter as `in` (the user\'s rows read newest first)',
  candidate: () => sessions.getAll('sessions', { filters: { sessionId: 'current' }, limit: 10 }),
  baseline: () => sessions.getAll('sessions', { filters: { sessionId: { in: ['current'] } }, limit: 10 }),
  iterations: 200,
  warmup: 10,
});
figures.push(fromPair(sessionPair, 'ratio <= 0.5', sessionPair.medianRatio <= 0.5));
await sessions.close();

printFigures('@fastagentic/sqlite on a libSQL file (@libsql/client 0.18)', figures);
folder.remove();
