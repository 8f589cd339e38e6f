import { comparePair, printFigures, type Figure } from '@fastagentic/bench';
import { InMemoryProvider, withCache } from '../src/index.js';

// Deterministic pseudo-random text, as in the provider bench: a 3,000-word vocabulary.
let seed = 7;
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
const sentence = (words: number) => Array.from({ length: words }, () => vocabulary[Math.floor(random() * vocabulary.length)]!).join(' ');

const provider = new InMemoryProvider();
for (let i = 0; i < 10_000; i++) await provider.add('bench-user', [{ role: 'user', content: sentence(8 + (i % 9)) }]);
const queries = Array.from({ length: 64 }, () => sentence(4));
const figures: Figure[] = [];

// Hit cost: every query cached once, then each candidate call is a hit.
{
  const cached = withCache(provider, { ttlSeconds: 3600, maxEntries: 1000, scope: 'process' });
  for (const query of queries) await cached.search('bench-user', query, { limit: 10 });
  const pair = await comparePair({
    name: 'withCache search hit (10 results, in-process generations), 10,000 memories',
    baselineName: 'InMemoryProvider.search',
    baseline: (run) => provider.search('bench-user', queries[run % queries.length]!, { limit: 10 }),
    candidate: (run) => cached.search('bench-user', queries[run % queries.length]!, { limit: 10 }),
    iterations: 2000,
    warmup: 200,
  });
  figures.push({
    name: pair.name,
    value: pair.candidate,
    baselineName: pair.baselineName,
    baseline: pair.baseline,
    ratio: pair.medianRatio,
    target: 'ratio < 0.5',
    met: pair.medianRatio < 0.5,
  });
}

// Hit ratio: queries drawn with a Zipf-like skew (query k with weight 1/(k+1)), as repeated
// questions are; with and without 1 write in 20 operations, each write invalidating the user.
function zipfQuery(): string {
  const weights = queries.map((_, k) => 1 / (k + 1));
  let target = random() * weights.reduce((sum, w) => sum + w, 0);
  for (let k = 0; k < weights.length; k++) if ((target -= weights[k]!) <= 0) return queries[k]!;
  return queries[queries.length - 1]!;
}
for (const writeShare of [0, 0.05]) {
  const workload = new InMemoryProvider();
  for (let i = 0; i < 2_000; i++) await workload.add('bench-user', [{ role: 'user', content: sentence(8 + (i % 9)) }]);
  const cached = withCache(workload, { ttlSeconds: 3600, maxEntries: 1000, scope: 'process' });
  let reads = 0;
  for (let op = 0; op < 10_000; op++) {
    if (random() < writeShare) await cached.add('bench-user', [{ role: 'user', content: sentence(10) }]);
    else (reads++, await cached.search('bench-user', zipfQuery(), { limit: 10 }));
  }
  const { hits, misses } = cached.statistics();
  figures.push({
    name: `hit ratio, ${reads.toLocaleString('en')} searches over 64 Zipf-skewed queries, ${writeShare * 100}% writes`,
    value: { text: `${((100 * hits) / (hits + misses)).toFixed(1)}%` },
    baselineName: 'ideal (only first sight of each query misses)',
    baseline: { text: `${((100 * (reads - 64)) / reads).toFixed(1)}%` },
  });
}

printFigures('withCache (one user, InMemoryProvider underneath)', figures);
