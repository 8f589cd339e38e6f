import { formatDuration, type Figure, type Stats } from '@fastagentic/bench';
import { terms } from '@fastagentic/memory/provider';
import { Redis } from 'ioredis';
import type { RedisProvider } from '../src/index.js';
import { userKeys } from '../src/redis-key-layout.js';

export interface SearchAtScaleContext {
  figures: Figure[];
  provider: RedisProvider;
  /** A second client on the same server: baselines and INFO. */
  raw: Redis;
  prefix: string;
  /** The add script before the index, for memory per stored memory without the index. */
  legacyAdd: (userId: string, text: string) => Promise<unknown>;
}

/** Deterministic pseudo-random numbers: every run sees the same memories and queries. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Memories of 8-16 words: two of six broad words (each in about a third of the memories) and
// words of a 20,000-word vocabulary drawn with Zipf frequencies, as in natural text.
const BROAD = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
const VOCABULARY_SIZE = 20_000;
const LETTERS = 'bcdfghjklmnpqrtvwz';
const vocabulary = Array.from({ length: VOCABULARY_SIZE }, (_, rank) => {
  let word = 'k';
  let n = rank;
  do {
    word += LETTERS[n % LETTERS.length];
    n = Math.floor(n / LETTERS.length);
  } while (n > 0);
  return `${word}a`;
});
const cumulative: number[] = [];
let total = 0;
for (let rank = 1; rank <= VOCABULARY_SIZE; rank++) cumulative.push((total += 1 / rank));

class MemoryText {
  private readonly random = seeded(2026);
  /** Memories containing each word, over everything generated so far. */
  readonly documentFrequency = new Map<string, number>();

  next(): string {
    const words = [BROAD[Math.floor(this.random() * 6)]!, BROAD[Math.floor(this.random() * 6)]!];
    const count = 6 + Math.floor(this.random() * 9);
    for (let i = 0; i < count; i++) {
      const target = this.random() * total;
      let low = 0;
      let high = cumulative.length - 1;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (cumulative[mid]! < target) low = mid + 1;
        else high = mid;
      }
      words.push(vocabulary[low]!);
    }
    for (const word of new Set(words)) this.documentFrequency.set(word, (this.documentFrequency.get(word) ?? 0) + 1);
    return words.join(' ');
  }
}

/** 2-4 words each in under 1% of the memories (and in at least two), and queries with a broad word. */
function querySets(text: MemoryText, memories: number) {
  const random = seeded(memories);
  const rare = [...text.documentFrequency]
    .filter(([word, df]) => !BROAD.includes(word) && df >= 2 && df >= memories / 1000 && df < memories / 100)
    .map(([word]) => word)
    .sort();
  const pick = () => rare[Math.floor(random() * rare.length)]!;
  const typical = Array.from({ length: 40 }, () => Array.from({ length: 2 + Math.floor(random() * 3) }, pick).join(' '));
  const broad = Array.from({ length: 40 }, (_, i) =>
    i % 2 === 0 ? `${BROAD[i % 6]} ${pick()}` : `${BROAD[i % 6]} ${BROAD[(i + 1) % 6]} ${pick()}`,
  );
  return { typical, broad, rareWords: rare.length };
}

/** The search before the index: every record of the user (HVALS), ranked in JavaScript. */
function rankAll(values: string[], query: string) {
  const queryTerms = [...new Set(terms(query))];
  const containing = new Map<string, number>();
  const hits = [];
  for (const value of values) {
    const record = JSON.parse(value) as { memory: string; seq: number };
    const words = new Set(terms(record.memory));
    const matched = queryTerms.filter((term) => words.has(term));
    if (matched.length === 0) continue;
    for (const term of matched) containing.set(term, (containing.get(term) ?? 0) + 1);
    hits.push({ record, matched });
  }
  return hits
    .map(({ record, matched }) => ({
      record,
      // The ranking before the index: the share of the query's terms a memory contains.
      score: matched.length / queryTerms.length,
      weight: matched.reduce((sum, term) => sum + Math.log(1 + values.length / containing.get(term)!), 0),
    }))
    .sort((a, b) => b.score - a.score || b.weight - a.weight || b.record.seq - a.record.seq)
    .slice(0, 10);
}

function summarize(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return {
    samples: sorted.length,
    medianMs: at(0.5),
    p99Ms: at(0.99),
    meanMs: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}

async function timeEach(queries: string[], runs: number, search: (query: string) => Promise<unknown>): Promise<Stats> {
  for (const query of queries.slice(0, 5)) await search(query);
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await search(queries[i % queries.length]!);
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}

/** Mean time Redis spent in EVALSHA per call since the last CONFIG RESETSTAT: how long a search holds Redis. */
async function evalshaMicrosPerCall(raw: Redis): Promise<number> {
  const info = await raw.info('commandstats');
  return Number(/cmdstat_evalsha:calls=\d+,usec=\d+,usec_per_call=([\d.]+)/.exec(info)![1]);
}

async function usedMemory(raw: Redis): Promise<number> {
  const info = await raw.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

const show = (stats: Stats) => `median ${formatDuration(stats.medianMs)}, p99 ${formatDuration(stats.p99Ms)}`;

export async function searchAtScale({ figures, provider, raw, prefix, legacyAdd }: SearchAtScaleContext): Promise<void> {
  const userId = 'scale';
  const text = new MemoryText();
  const records = userKeys(prefix, userId).records;
  let loaded = 0;
  let loadMs = 0;
  for (const [size, target] of [
    [1_000, Number.POSITIVE_INFINITY],
    [10_000, 10],
    [100_000, 25],
  ] as const) {
    const started = performance.now();
    // Adds go out 500 at a time: ioredis writes them back to back (one pipeline per batch).
    while (loaded < size) {
      const batch = Math.min(500, size - loaded);
      await Promise.all(Array.from({ length: batch }, () => provider.add(userId, [{ role: 'user', content: text.next() }])));
      loaded += batch;
    }
    loadMs += performance.now() - started;
    const { typical, broad, rareWords } = querySets(text, size);
    if (rareWords < 50) throw new Error(`only ${rareWords} words in under 1% of ${size} memories`);
    await raw.config('RESETSTAT');
    const candidate = await timeEach(typical, 400, (query) => provider.search(userId, query));
    const scriptMicros = await evalshaMicrosPerCall(raw);
    const baselineRuns = Math.max(5, Math.min(100, Math.round(200_000 / size)));
    const baseline = await timeEach(typical, baselineRuns, async (query) => rankAll(await raw.hvals(records), query));
    figures.push({
      name: `search, typical queries (2-4 words each in < 1%), ${size.toLocaleString('en')} memories`,
      value: candidate,
      baselineName: `HVALS + rank in JS (before the index), ${baselineRuns} runs`,
      baseline,
      target: Number.isFinite(target) ? `p99 < ${target} ms` : 'reported',
      met: Number.isFinite(target) ? candidate.p99Ms < target : undefined,
    });
    figures.push({
      name: `search script time in Redis (INFO commandstats), typical queries, ${size.toLocaleString('en')} memories`,
      value: { text: `${formatDuration(scriptMicros / 1000)} per call` },
      target: 'reported',
    });
    await raw.config('RESETSTAT');
    const broadStats = await timeEach(broad, 200, (query) => provider.search(userId, query));
    const broadScriptMicros = await evalshaMicrosPerCall(raw);
    figures.push({
      name: `search, broad queries (a word in ~1/3 of the memories), ${size.toLocaleString('en')} memories, default cap of 2,000 candidates`,
      value: broadStats,
      target: size === 100_000 ? 'p99 < 100 ms' : 'reported',
      met: size === 100_000 ? broadStats.p99Ms < 100 : undefined,
    });
    figures.push({
      name: `search script time in Redis (INFO commandstats), broad queries, ${size.toLocaleString('en')} memories`,
      value: { text: `${formatDuration(broadScriptMicros / 1000)} per call` },
      target: 'reported',
    });
    if (size === 100_000) {
      await pingDuringSearches(figures, provider, raw, userId, typical, broad);
    }
  }
  figures.push({
    name: 'loading 100,000 memories with provider.add (batches of 500 concurrent adds)',
    value: { text: `${formatDuration(loadMs)} (${Math.round(100_000 / (loadMs / 1000)).toLocaleString('en')} adds/s)` },
  });

  // Memory per stored memory: 10,000 of the same memories with and without the index.
  const perMemory = async (store: (content: string) => Promise<unknown>) => {
    const sizing = new MemoryText();
    const before = await usedMemory(raw);
    for (let i = 0; i < 10_000; i += 500) {
      await Promise.all(Array.from({ length: 500 }, () => store(sizing.next())));
    }
    return ((await usedMemory(raw)) - before) / 10_000;
  };
  const withIndex = await perMemory((content) => provider.add('sizing-indexed', [{ role: 'user', content }]));
  const withoutIndex = await perMemory((content) => legacyAdd('sizing-legacy', content));
  figures.push({
    name: 'Redis memory per stored memory (INFO used_memory over 10,000 memories of 8-16 words)',
    value: { text: `${Math.round(withIndex)} B with the index` },
    baselineName: 'records and timeline only (before the index)',
    baseline: { text: `${Math.round(withoutIndex)} B` },
    ratio: withIndex / withoutIndex,
    target: 'reported',
  });
  await provider.deleteAll('sizing-indexed');
  await provider.deleteAll('sizing-legacy');
  await provider.deleteAll(userId);
}

/** PING from another connection, every millisecond or so, while searches run back to back. */
async function pingDuringSearches(
  figures: Figure[],
  provider: RedisProvider,
  raw: Redis,
  userId: string,
  typical: string[],
  broad: string[],
): Promise<void> {
  const pinger = new Redis(raw.options);
  const pingFor = async (ms: number) => {
    const samples: number[] = [];
    const end = performance.now() + ms;
    while (performance.now() < end) {
      const started = performance.now();
      await pinger.ping();
      samples.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return summarize(samples);
  };
  const idle = await pingFor(2_000);
  for (const [label, queries] of [
    ['typical', typical],
    ['broad', broad],
  ] as const) {
    let running = true;
    let searches = 0;
    const searching = (async () => {
      for (let i = 0; running; i++) {
        await provider.search(userId, queries[i % queries.length]!);
        searches++;
      }
    })();
    const busy = await pingFor(4_000);
    running = false;
    await searching;
    figures.push({
      name: `PING from another client while ${label} searches run back to back (100,000 memories, ${searches} searches)`,
      value: busy,
      baselineName: 'PING with no search running',
      baseline: idle,
      target: label === 'typical' ? 'p99 < 5 ms' : 'reported',
      met: label === 'typical' ? busy.p99Ms < 5 : undefined,
    });
  }
  await pinger.quit();
}
