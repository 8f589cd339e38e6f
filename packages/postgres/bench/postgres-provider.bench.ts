import { comparePair, measure, printFigures, type Figure, type PairResult, type Stats } from '@fastagentic/bench';
import { InMemoryProvider, type Embedder, type Message } from '@fastagentic/memory';
import { cosineRelevance, terms } from '@fastagentic/memory/provider';
import pg from 'pg';
import { PostgresProvider } from '../src/index.js';
import { PGliteProvider } from '../src/pglite.js';

// The machine's PostgreSQL (see .ci/start-postgres); everything lives in one schema, dropped at the end.
const url = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `fa_bench_${Date.now().toString(36)}`;
const full = process.env.POSTGRES_BENCH_FULL === '1';
const admin = new pg.Pool({ connectionString: url, max: 2 });
const figures: Figure[] = [];
const note = (content: string): Message[] => [{ role: 'user', content }];
const text = (stats: Stats) => `median ${stats.medianMs.toFixed(2)} ms, p99 ${stats.p99Ms.toFixed(2)} ms`;

/** A small deterministic generator, so every run loads the same data. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
const next = random(2026);

// Pseudo-words the term pipeline keeps as they are (no stemming, no stop words).
const syllables = ['ba', 'ko', 'ru', 'mi', 'te', 'lo', 'zu', 'na', 'fi', 'go', 'pe', 'xa', 'vo', 'di', 'su'];
const vocabulary: string[] = [];
for (let i = 0; vocabulary.length < 3_000; i++) {
  const word = `${syllables[i % 15]}${syllables[Math.floor(i / 15) % 15]}${syllables[Math.floor(i / 225) % 15]}`;
  const candidate = i < 3_375 ? word : `${word}${i}`;
  const kept = terms(candidate);
  if (kept.length === 1 && kept[0] === candidate && !vocabulary.includes(candidate)) vocabulary.push(candidate);
}
const broadWords = ['kayak', 'garden', 'violin', 'coffee', 'travel'];
/** 5 typical words (each in ~0.17% of memories) and each broad word with probability 0.15. */
function memoryText(): string {
  const words = Array.from({ length: 5 }, () => vocabulary[Math.floor(next() * vocabulary.length)]!);
  for (const word of broadWords) if (next() < 0.15) words.push(word);
  return words.join(' ');
}
const typicalQueries = Array.from({ length: 50 }, () =>
  Array.from({ length: 2 + Math.floor(next() * 3) }, () => vocabulary[Math.floor(next() * vocabulary.length)]!).join(' '),
);
const broadQueries = Array.from({ length: 50 }, (_, i) => `${broadWords[i % 5]} ${vocabulary[Math.floor(next() * vocabulary.length)]}`);

async function loadBoth(postgres: PostgresProvider, memory: InMemoryProvider, userId: string, texts: string[]): Promise<void> {
  for (let start = 0; start < texts.length; start += 1_000) {
    const batch = texts.slice(start, start + 1_000);
    await postgres.addMany(userId, batch.map((content) => ({ messages: note(content) })));
  }
  for (const content of texts) await memory.add(userId, note(content));
}

// --- Lexical search: one user at 1k / 10k / 100k, beside 1,000 other users with the same words.
const lexical = new PostgresProvider({ connectionString: url, schema, tablePrefix: 'lexical_', maxConnections: 4 });
const inMemory = new InMemoryProvider();
let started = performance.now();
for (let user = 0; user < 1_000; user++) {
  await loadBoth(lexical, inMemory, `other-${user}`, Array.from({ length: 10 }, memoryText));
}
console.log(`loaded 1,000 other users x 10 memories in ${((performance.now() - started) / 1000).toFixed(1)} s`);
const sizes = [1_000, 10_000, 100_000];
let loaded = 0;
const loadTimes: string[] = [];
for (const size of sizes) {
  started = performance.now();
  await loadBoth(lexical, inMemory, 'bench-user', Array.from({ length: size - loaded }, memoryText));
  loadTimes.push(`${size - loaded} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  loaded = size;
  // As autovacuum would after a bulk load: statistics, and the visibility map for index-only scans.
  await admin.query(`VACUUM ANALYZE ${lexical.tables.postings}, ${lexical.tables.memories}, ${lexical.tables.termStats}`);
  for (const [set, queries, target] of [
    ['typical', typicalQueries, size >= 100_000 ? 25 : size >= 10_000 ? 10 : undefined],
    ['broad', broadQueries, undefined],
  ] as const) {
    const pair: PairResult = await comparePair({
      name: `search, ${set} query, ${size.toLocaleString('en')} memories`,
      baselineName: 'InMemoryProvider',
      candidate: (run) => lexical.search('bench-user', queries[run % queries.length]!),
      baseline: (run) => inMemory.search('bench-user', queries[run % queries.length]!),
      iterations: 200,
      warmup: 20,
    });
    figures.push({
      name: pair.name,
      value: pair.candidate,
      baselineName: pair.baselineName,
      baseline: pair.baseline,
      ...(target === undefined ? {} : { target: `p99 < ${target} ms`, met: pair.candidate.p99Ms < target }),
    });
  }
}
console.log(`loaded bench-user: ${loadTimes.join(', ')} (addMany, 1,000 per call)`);
// The floor every statement pays on this machine: one round trip that does nothing.
const floor = await measure(() => admin.query('SELECT 1'), { iterations: 300, warmup: 20 });
figures.push({ name: 'round trip floor: SELECT 1 on the same server', value: floor });
printFigures('Lexical search on the PostgreSQL server (one user, 1,000 other users with the same words)', figures.splice(0));

// --- Writes: single add and addMany, beside a bare INSERT of one jsonb row on the same server.
await admin.query(`CREATE TABLE "${schema}".raw_rows (user_id text, id text, body jsonb)`);
let writes = 0;
const single = await comparePair({
  name: 'add (one memory, one transaction)',
  baselineName: 'bare INSERT of one row (pg pool)',
  candidate: () => lexical.add('writer', note(memoryText())),
  baseline: () => admin.query(`INSERT INTO "${schema}".raw_rows VALUES ($1, $2, $3)`, ['writer', String(writes++), { text: memoryText() }]),
  iterations: 300,
});
figures.push({ name: single.name, value: single.candidate, baselineName: single.baselineName, baseline: single.baseline });
const batchTexts = () => Array.from({ length: 100 }, () => ({ messages: note(memoryText()) }));
const batched = await comparePair({
  name: 'addMany (100 memories, one transaction)',
  baselineName: '100 single adds, one after another',
  candidate: () => lexical.addMany('writer-batch', batchTexts()),
  baseline: async () => {
    for (const item of batchTexts()) await lexical.add('writer-single', item.messages);
  },
  iterations: 20,
  warmup: 2,
});
figures.push({
  name: batched.name,
  value: { text: `${text(batched.candidate)} (${(batched.candidate.medianMs / 100).toFixed(3)} ms per memory)` },
  baselineName: batched.baselineName,
  baseline: batched.baseline,
  ratio: batched.medianRatio,
});

// --- Forget: deleteAll of a user with 10,000 memories (postings and statistics in the same transaction).
const forgetTimes: number[] = [];
for (let round = 0; round < 3; round++) {
  const userId = `forget-${round}`;
  for (let start = 0; start < 10_000; start += 1_000) {
    await lexical.addMany(userId, Array.from({ length: 1_000 }, () => ({ messages: note(memoryText()) })));
  }
  const t0 = performance.now();
  const deleted = await lexical.deleteAll(userId);
  forgetTimes.push(performance.now() - t0);
  if (deleted !== 10_000) throw new Error(`deleteAll removed ${deleted}`);
}
forgetTimes.sort((a, b) => a - b);
const [loadOne] = [await measure(() => lexical.getAll('bench-user', { limit: 100 }), { iterations: 50, warmup: 5 })];
figures.push({
  name: 'deleteAll of 10,000 memories (3 runs)',
  value: { text: `median ${forgetTimes[1]!.toFixed(0)} ms (min ${forgetTimes[0]!.toFixed(0)}, max ${forgetTimes[2]!.toFixed(0)})` },
  baselineName: 'getAll page of 100 (same store)',
  baseline: loadOne,
});

// --- 100 callers at once against the pool: 70% search, 20% add, 10% get, over 100 users.
async function mixedLoad(maxConnections: number, seconds: number): Promise<{ ops: number; stats: Stats; errors: number }> {
  const store = new PostgresProvider({ connectionString: url, schema, tablePrefix: 'lexical_', maxConnections });
  const ids: string[] = [];
  for (let user = 0; user < 100; user++) ids.push(await store.add(`other-${user}`, note(memoryText())));
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 100 }, async (_, caller) => {
      for (let i = 0; performance.now() < until; i++) {
        const user = (caller + i) % 100;
        const pick = (caller * 7 + i) % 10;
        const t0 = performance.now();
        try {
          if (pick < 7) await store.search(`other-${user}`, typicalQueries[i % 50]!);
          else if (pick < 9) await store.add(`other-${user}`, note(memoryText()));
          else await store.get(`other-${user}`, ids[user]!);
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  await store.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]!;
  return {
    ops: latencies.length / seconds,
    stats: { samples: latencies.length, medianMs: at(0.5), p99Ms: at(0.99), meanMs: 0 },
    errors,
  };
}
const wide = await mixedLoad(80, 5);
const narrow = await mixedLoad(10, 5);
figures.push({
  name: '100 concurrent callers, pool of 80 connections, 5 s',
  value: { text: `${wide.ops.toFixed(0)} ops/s, ${text(wide.stats)}, ${wide.errors} errors` },
  baselineName: 'same load, pool of 10',
  baseline: { text: `${narrow.ops.toFixed(0)} ops/s, ${text(narrow.stats)}, ${narrow.errors} errors` },
  ratio: wide.ops / narrow.ops,
});
printFigures('Writes, forget and pool load on the PostgreSQL server', figures.splice(0));
await lexical.close();

// --- Vectors: clustered (not uniform) vectors, HNSW on PGlite with pgvector, exact on the server.
const dimensions = 128;
const clusters = Array.from({ length: 64 }, () => Array.from({ length: dimensions }, () => next() * 2 - 1));
const gaussian = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
const around = (center: number[], spread: number) => center.map((value) => value + gaussian() * spread);
const vectorCount = full ? 100_000 : 10_000;
const vectors = new Map<string, number[]>();
for (let i = 0; i < vectorCount; i++) vectors.set(`vec ${i}`, around(clusters[i % clusters.length]!, 0.35));
const queries = Array.from({ length: 100 }, (_, i) => {
  const key = `query ${i}`;
  vectors.set(key, around(clusters[Math.floor(next() * clusters.length)]!, 0.35));
  return key;
});
/** Looks vectors up by text, so the stores index exactly the vectors generated here. */
const lookupEmbedder: Embedder = {
  dimensions,
  async embed(texts) {
    return texts.map((key) => vectors.get(key)!);
  },
};
const exactTop = (query: string) =>
  [...vectors.entries()]
    .filter(([key]) => key.startsWith('vec '))
    .map(([key, vector]) => ({ key, score: cosineRelevance(vectors.get(query)!, vector) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 10)
    .map(({ key }) => key);

const pglite = new PGliteProvider({ embedder: lookupEmbedder, log: (line) => console.log(line) });
const onServer = new PostgresProvider({ connectionString: url, schema, tablePrefix: 'vectors_', embedder: lookupEmbedder, log: (line) => console.log(line) });
const vectorMemory = new InMemoryProvider({ embedder: lookupEmbedder });
started = performance.now();
for (let start = 0; start < vectorCount; start += 1_000) {
  const batch = Array.from({ length: Math.min(1_000, vectorCount - start) }, (_, i) => ({ messages: note(`vec ${start + i}`) }));
  await pglite.addMany('vector-user', batch);
}
const pgliteLoad = (performance.now() - started) / 1000;
started = performance.now();
for (let start = 0; start < vectorCount; start += 1_000) {
  const batch = Array.from({ length: Math.min(1_000, vectorCount - start) }, (_, i) => ({ messages: note(`vec ${start + i}`) }));
  await onServer.addMany('vector-user', batch);
}
const serverLoad = (performance.now() - started) / 1000;
for (let i = 0; i < vectorCount; i++) await vectorMemory.add('vector-user', note(`vec ${i}`));

let recallHits = 0;
for (const query of queries) {
  const expected = new Set(exactTop(query));
  const found = await pglite.search('vector-user', query, { limit: 10 });
  recallHits += found.filter((memory) => expected.has(memory.memory)).length;
}
const recall = recallHits / (queries.length * 10);
const hnsw = await comparePair({
  name: `vector search, PGlite + pgvector HNSW (${pglite.vectorSearch}), ${vectorCount.toLocaleString('en')} vectors of ${dimensions}`,
  baselineName: 'InMemoryProvider (exact)',
  candidate: (run) => pglite.search('vector-user', queries[run % queries.length]!),
  baseline: (run) => vectorMemory.search('vector-user', queries[run % queries.length]!),
  iterations: 100,
  warmup: 10,
});
figures.push({ name: hnsw.name, value: hnsw.candidate, baselineName: hnsw.baselineName, baseline: hnsw.baseline });
figures.push({
  name: `recall@10 of HNSW against exact search, 100 queries (64 clusters)`,
  value: { text: recall.toFixed(3) },
  target: 'recall@10 >= 0.9',
  met: recall >= 0.9,
});
const exact = await comparePair({
  name: `vector search, server exact cosine (${onServer.vectorSearch}), ${vectorCount.toLocaleString('en')} vectors`,
  baselineName: 'InMemoryProvider (exact)',
  candidate: (run) => onServer.search('vector-user', queries[run % queries.length]!),
  baseline: (run) => vectorMemory.search('vector-user', queries[run % queries.length]!),
  iterations: 50,
  warmup: 5,
});
figures.push({ name: exact.name, value: exact.candidate, baselineName: exact.baselineName, baseline: exact.baseline });
figures.push({
  name: `load ${vectorCount.toLocaleString('en')} vectors (addMany, 1,000 per call)`,
  value: { text: `PGlite + HNSW ${pgliteLoad.toFixed(1)} s` },
  baselineName: 'server, exact (bytea)',
  baseline: { text: `${serverLoad.toFixed(1)} s` },
});
printFigures('Vector search', figures.splice(0));

await pglite.close();
await onServer.close();

// --- Session memory's read: the 10 newest of a session (every 200th of a user's 10,000 memories)
// through the session indexes, beside the same filter spelled `in`, read from the user's rows.
const sessions = new PostgresProvider({ connectionString: url, schema, tablePrefix: 'sessions_' });
for (let start = 0; start < 10_000; start += 1_000) {
  await sessions.addMany(
    'sessions',
    Array.from({ length: 1_000 }, (_, i) => ({
      messages: note(memoryText()),
      metadata: { sessionId: (start + i) % 200 === 0 ? 'current' : `earlier-${(start + i) % 37}` },
    })),
  );
}
await admin.query(`ANALYZE "${schema}".sessions_memories`);
const sessionPair = await comparePair({
  name: 'getAll filtered by sessionId (10 newest of a 50-memory session, user of 10,000)',
  baselineName: "the same filter as `in` (the user's rows read newest first)",
  candidate: () => sessions.getAll('sessions', { filters: { sessionId: 'current' }, limit: 10 }),
  baseline: () => sessions.getAll('sessions', { filters: { sessionId: { in: ['current'] } }, limit: 10 }),
  iterations: 200,
  warmup: 10,
});
figures.push({
  name: sessionPair.name,
  value: sessionPair.candidate,
  baselineName: sessionPair.baselineName,
  baseline: sessionPair.baseline,
  target: 'ratio <= 0.5',
  met: sessionPair.medianRatio <= 0.5,
});
printFigures('Session reads', figures.splice(0));
await sessions.close();
await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
await admin.end();
