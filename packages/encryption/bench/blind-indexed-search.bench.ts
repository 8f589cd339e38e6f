import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { comparePair, formatDuration, printFigures, type Figure, type PairResult } from '@fastagentic/bench';
import { InMemoryProvider, type MemoryProvider } from '@fastagentic/memory';
import { RedisProvider } from '@fastagentic/redis';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { RedisServerProcess } from '@fastagentic/test-services';
import { withEncryption } from '../src/node/with-encryption.js';
import { skewedText } from './skewed-text.js';

// Blind-indexed search: a cold encrypted search (no cached plaintext: every result is decrypted)
// beside the same store's unencrypted search of the same data, and the
// cost of an add with its tokens. A private redis-server, so other work on the machine neither
// skews nor sees the run.
const SEARCH_TARGET_RATIO = 2;
const ADD_TARGET_US = 50;
const SIZES = [1_000, 10_000, 100_000] as const;
const QUERY = 'kelomar tavisu brenodi';

const text = skewedText(QUERY.split(' '), 7);

const key = crypto.getRandomValues(new Uint8Array(32));
const note = (content: string) => [{ role: 'user' as const, content }];
const figures: Figure[] = [];

function pairFigure(result: PairResult, target?: number): Figure {
  const figure: Figure = { name: result.name, value: result.candidate, baselineName: result.baselineName, baseline: result.baseline };
  if (target !== undefined) {
    figure.target = `ratio <= ${target}`;
    figure.met = result.medianRatio <= target;
  }
  return figure;
}

{
  // Both stores keep their term index up to date on add (each was searched once first).
  const bare = new InMemoryProvider();
  const encrypted = withEncryption(new InMemoryProvider(), { key, cacheSize: 0 });
  const paging = withEncryption(new InMemoryProvider(), { key, cacheSize: 0, blindIndexedSearch: false });
  for (const provider of [bare, encrypted, paging]) {
    await provider.add('adder', note(text(200)));
    await provider.search('adder', QUERY);
  }
  const memory = text(1024);
  let newUsers = 0;
  // The user's vocabulary recurs, so most tokens come from the wrapper's per-user cache; a new
  // user on every add is the worst case (a key derived and every token computed).
  for (const [label, candidate, userOf] of [
    ['with blind-index tokens', encrypted, () => 'adder'],
    ['with blind-index tokens, a new user each time (nothing cached)', encrypted, () => `new-${++newUsers}`],
    ['blindIndexedSearch: false', paging, () => 'adder'],
  ] as const) {
    const add = await comparePair({
      name: `add 1 KiB memory, encrypted ${label}`,
      baselineName: 'bare InMemoryProvider.add (indexed)',
      baseline: () => bare.add(userOf(), note(memory)),
      candidate: () => candidate.add(userOf(), note(memory)),
      iterations: 2_000,
      warmup: 200,
    });
    const overheadUs = (add.candidate.medianMs - add.baseline.medianMs) * 1000;
    figures.push(pairFigure(add), {
      name: '  overhead per memory',
      value: { text: `${overheadUs.toFixed(1)} µs` },
      target: `< ${ADD_TARGET_US} µs`,
      met: overheadUs < ADD_TARGET_US,
    });
  }
}

async function seed(bare: MemoryProvider, backend: MemoryProvider, userId: string, count: number): Promise<void> {
  const writer = withEncryption(backend, { key });
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, () => note(text(200)));
    await Promise.all(batch.map((messages) => bare.add(userId, messages)));
    await Promise.all(batch.map((messages) => writer.add(userId, messages)));
  }
}

const server = await RedisServerProcess.start();
const folder = await mkdtemp(join(tmpdir(), 'fastagentic-blind-bench-'));
const allStores: Array<{ label: string; create: (name: string) => MemoryProvider; close: (provider: MemoryProvider) => Promise<void> }> = [
  { label: 'InMemoryProvider', create: () => new InMemoryProvider(), close: async () => undefined },
  {
    label: 'RedisProvider',
    create: (name) => new RedisProvider({ url: server.url, prefix: `bench-${name}:` }),
    close: (provider) => (provider as RedisProvider).close(),
  },
  {
    label: 'LibsqlProvider (file)',
    create: (name) => new LibsqlProvider({ url: `file:${join(folder, `${name}.db`)}` }),
    close: (provider) => (provider as LibsqlProvider).close(),
  },
];
// BENCH_STORES=LibsqlProvider (a comma-separated list of label prefixes) measures only those stores.
const only = process.env.BENCH_STORES?.split(',');
const stores = only ? allStores.filter((store) => only.some((prefix) => store.label.startsWith(prefix))) : allStores;

try {
  for (const store of stores) {
    for (const size of SIZES) {
      const started = performance.now();
      const bare = store.create(`bare-${size}`);
      const backend = store.create(`encrypted-${size}`);
      const userId = `searcher-${size}`;
      await seed(bare, backend, userId, size);
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.error(`${store.label}: seeded ${size} memories twice in ${seconds} s`);
      const iterations = size >= 100_000 ? 20 : 50;
      // Cold: no plaintext cached (cacheSize 0), so every result is decrypted on every search.
      const cold = withEncryption(backend, { key, cacheSize: 0 });
      const search = await comparePair({
        name: `cold encrypted search, ${size} memories (${store.label})`,
        baselineName: `unencrypted ${store.label}.search`,
        baseline: () => bare.search(userId, QUERY),
        candidate: () => cold.search(userId, QUERY),
        iterations,
        warmup: 3,
      });
      figures.push(pairFigure(search, SEARCH_TARGET_RATIO));
      console.error(`${search.name}: median ${formatDuration(search.candidate.medianMs)} vs ${formatDuration(search.baseline.medianMs)}`);
      if (size === 10_000) {
        // A wrapper per query: keys come from the process (see cold-search.bench.ts for a new process).
        const fresh = await comparePair({
          name: `  first search of a new wrapper (keys kept by the process, no plaintext cached), ${size} memories (${store.label})`,
          baselineName: `unencrypted ${store.label}.search`,
          baseline: () => bare.search(userId, QUERY),
          candidate: () => withEncryption(backend, { key, cacheSize: 0 }).search(userId, QUERY),
          iterations,
          warmup: 3,
        });
        figures.push(pairFigure(fresh));
      }
      if (size === 1_000) {
        // The path stores without supplied terms keep: decrypt and rank every memory in this process.
        const paging = await comparePair({
          name: `  for reference: cold search, blindIndexedSearch: false, ${size} memories (${store.label})`,
          baselineName: `unencrypted ${store.label}.search`,
          baseline: () => bare.search(userId, QUERY),
          candidate: () => withEncryption(backend, { key, cacheSize: 0, blindIndexedSearch: false }).search(userId, QUERY),
          iterations: 10,
          warmup: 1,
        });
        figures.push(pairFigure(paging));
      }
      await bare.deleteAll(userId);
      await backend.deleteAll(userId);
      await store.close(bare);
      await store.close(backend);
    }
  }
} finally {
  await server.destroy();
  await rm(folder, { recursive: true, force: true });
}

printFigures(`withEncryption blind-indexed search (Node ${process.versions.node}; search memories of 200 characters)`, figures);
