import { comparePair, measure, printFigures, type Figure } from '@fastagentic/bench';
import MiniSearch from 'minisearch';
import { InMemoryProvider, injectMemory } from '../src/index.js';
import { tokenizeForRelevance } from '../src/provider.js';

// Deterministic pseudo-random text: a 3,000-word vocabulary, sentences of 8 to 16 words.
let seed = 42;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const syllables = ['ka', 'lo', 'mi', 'ra', 'te', 'zu', 'no', 'pe', 'si', 'vo', 'da', 'gu', 'ha', 'je', 'bi'];
const vocabulary = Array.from({ length: 3000 }, () => {
  let word = '';
  for (let i = 0; i < 2 + Math.floor(random() * 3); i++) word += syllables[Math.floor(random() * syllables.length)];
  return word;
});
const pick = () => vocabulary[Math.floor(random() * vocabulary.length)]!;
const sentence = (words: number) => Array.from({ length: words }, pick).join(' ');

async function providerWith(count: number): Promise<InMemoryProvider> {
  const provider = new InMemoryProvider();
  for (let i = 0; i < count; i++) await provider.add('bench-user', [{ role: 'user', content: sentence(8 + (i % 9)) }]);
  await provider.search('bench-user', 'warm up the index');
  return provider;
}

const queries = Array.from({ length: 64 }, () => sentence(4));
let next = 0;
const query = () => queries[next++ % queries.length]!;

// Heap per memory beyond its text, measured first, before other providers leave garbage behind.
async function heapPerMemory(): Promise<Figure> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return { name: 'heap per memory', value: { text: 'not measured: run node with --expose-gc' } };
  const texts = Array.from({ length: 20_000 }, (_, i) => sentence(8 + (i % 9)));
  const provider = new InMemoryProvider();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (const content of texts) await provider.add('heap-user', [{ role: 'user', content }]);
  await provider.search('heap-user', 'build the index');
  gc();
  // The texts were allocated before `before` and are stored by reference, so all growth is overhead.
  const perMemory = (process.memoryUsage().heapUsed - before) / texts.length;
  const stillHeld = (await provider.getAll('heap-user', { limit: 1 })).memories.length;
  return {
    name: `heap per memory beyond its text (${texts.length.toLocaleString('en')} memories, index built)`,
    value: { text: `${(perMemory / 1024).toFixed(2)} KiB` },
    target: '< 2 KiB',
    met: stillHeld === 1 && perMemory < 2048,
  };
}

const figures: Figure[] = [await heapPerMemory()];
let baseline1k: Awaited<ReturnType<typeof measure>> | undefined;
for (const size of [1_000, 10_000, 100_000]) {
  const provider = await providerWith(size);
  const stats = await measure(() => provider.search('bench-user', query()), {
    iterations: size === 100_000 ? 200 : 500,
    warmup: 20,
  });
  baseline1k ??= stats;
  const target = size === 10_000 ? 5 : size === 100_000 ? 50 : undefined;
  figures.push({
    name: `search, ${size.toLocaleString('en')} memories`,
    value: stats,
    baselineName: size === 1_000 ? undefined : 'same search at 1,000',
    baseline: size === 1_000 ? undefined : baseline1k,
    target: target === undefined ? undefined : `p99 < ${target} ms`,
    met: target === undefined ? undefined : stats.p99Ms < target,
  });
}

const provider = await providerWith(10_000);
const inject = injectMemory({ strategy: 'relevant', maxMemories: 10 });
const pair = await comparePair({
  name: 'injectMemory relevant, 10,000 memories',
  baselineName: 'bare search',
  baseline: (run) => provider.search('bench-user', queries[run % queries.length]!, { limit: 10 }),
  candidate: (run) => inject(provider, { userId: 'bench-user', query: queries[run % queries.length]! }),
  iterations: 3000,
  warmup: 200,
});
figures.push({
  name: pair.name,
  value: pair.candidate,
  baselineName: pair.baselineName,
  baseline: pair.baseline,
  ratio: pair.medianRatio,
  target: 'ratio <= 1.05',
  met: pair.medianRatio <= 1.05,
});

// The index is our own: measured against MiniSearch over the same 100,000 texts and queries.
{
  const texts = Array.from({ length: 100_000 }, (_, i) => sentence(8 + (i % 9)));
  const ours = new InMemoryProvider();
  for (const content of texts) await ours.add('u', [{ role: 'user', content }]);
  await ours.search('u', 'build the index');
  const library = new MiniSearch<{ id: number; text: string }>({
    fields: ['text'],
    tokenize: tokenizeForRelevance,
    processTerm: (term) => term,
    searchOptions: { tokenize: tokenizeForRelevance, processTerm: (term) => term },
  });
  library.addAll(texts.map((text, id) => ({ id, text })));
  const versus = await comparePair({
    name: 'InMemoryProvider.search, 100,000 memories (own inverted index)',
    baselineName: 'MiniSearch.search alone (OR, BM25)',
    baseline: (run) => library.search(queries[run % queries.length]!, { combineWith: 'OR', prefix: false, fuzzy: false }),
    candidate: (run) => ours.search('u', queries[run % queries.length]!),
    iterations: 200,
  });
  figures.push({
    name: versus.name,
    value: versus.candidate,
    baselineName: versus.baselineName,
    baseline: versus.baseline,
    ratio: versus.medianRatio,
    target: 'ratio < 1 (else use the library)',
    met: versus.medianRatio < 1,
  });
}

printFigures('InMemoryProvider (lexical search, one user)', figures);
