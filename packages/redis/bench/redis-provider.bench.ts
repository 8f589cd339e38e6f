import { comparePair, formatDuration, printFigures, type Figure, type PairResult, type Stats } from '@fastagentic/bench';
import type { Memory } from '@fastagentic/memory';
import { Redis } from 'ioredis';
import { RedisProvider } from '../src/index.js';
import { userKeys } from '../src/redis-key-layout.js';
import { RedisServerProcess } from '@fastagentic/test-services';
import { searchAtScale } from './search-at-scale.js';

// A private redis-server, so other work on the machine's Redis neither skews nor sees the run.
const server = await RedisServerProcess.start();
const prefix = 'bench:';
const client = new Redis(server.url);
const raw = new Redis(server.url);
const provider = new RedisProvider({ client, prefix });
const note = (content: string) => [{ role: 'user' as const, content }];
const words = ['tea', 'piano', 'berlin', 'river', 'cat', 'hiking', 'coffee', 'music', 'garden', 'travel'];
const sentence = (i: number) =>
  `Memory ${i} about ${words[i % 10]} and ${words[(i * 7) % 10]} with ${words[(i * 3) % 10]} notes`;

let commands = 0;
const sendCommand = client.sendCommand.bind(client);
client.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
  commands++;
  return sendCommand(...args);
}) as Redis['sendCommand'];

async function seed(userId: string, count: number): Promise<void> {
  for (let start = 0; start < count; start += 1_000) {
    const size = Math.min(1_000, count - start);
    await Promise.all(Array.from({ length: size }, (_, i) => provider.add(userId, note(sentence(start + i)))));
  }
}

// The add script before the index (HSET + ZADD): the baseline the index's cost is judged by.
const LEGACY_ADD_SOURCE = `local seq = tonumber(ARGV[3])
local newest = redis.call('ZREVRANGE', KEYS[2], 0, 0, 'WITHSCORES')
if newest[2] and tonumber(newest[2]) >= seq then seq = tonumber(newest[2]) + 1 end
local score = string.format('%.0f', seq)
redis.call('HSET', KEYS[1], ARGV[1], '{"seq":' .. score .. ',' .. string.sub(ARGV[2], 2))
redis.call('ZADD', KEYS[2], score, ARGV[1])
return 1`;
const legacyAddSha = String(await raw.script('LOAD', LEGACY_ADD_SOURCE));
function legacyAdd(userId: string, text: string): Promise<unknown> {
  const keys = userKeys(prefix, userId);
  const id = crypto.randomUUID();
  const body = JSON.stringify({ id, memory: text, metadata: {} });
  return raw.evalsha(legacyAddSha, 2, keys.records, keys.timeline, id, body, String(Date.now() * 1000), '0');
}

const pairs: PairResult[] = [];
const figures: Figure[] = [];
const within15 = (pair: PairResult): Figure => ({
  name: pair.name,
  value: pair.candidate,
  baselineName: pair.baselineName,
  baseline: pair.baseline,
  target: 'ratio <= 1.15',
  met: pair.medianRatio <= 1.15,
});

// add with index maintenance vs the add script before the index, on users of the same size.
const addPair = await comparePair({
  name: 'RedisProvider.add (with index maintenance)',
  baselineName: 'the add script before the index (HSET+ZADD)',
  iterations: 1_000,
  candidate: (run) => provider.add('provider-add', note(sentence(run))),
  baseline: (run) => legacyAdd('legacy-add', sentence(run)),
});
figures.push({
  name: addPair.name,
  value: addPair.candidate,
  baselineName: addPair.baselineName,
  baseline: addPair.baseline,
  target: 'ratio <= 2',
  met: addPair.medianRatio <= 2,
});

// update (the record read, then one script) beside add, in the same run, on one user's memories.
await seed('updated', 1_000);
const updatable = await raw.zrange(userKeys(prefix, 'updated').timeline, '0', '-1');
const updatePair = await comparePair({
  name: 'RedisProvider.update (new text: record read, then one script re-indexing it and recording the version)',
  baselineName: 'RedisProvider.add, same run',
  iterations: 1_000,
  candidate: (run) => provider.update('updated', updatable[run % updatable.length]!, { text: sentence(run + 5_000) }),
  baseline: (run) => provider.add('provider-add', note(sentence(run))),
});
figures.push({ name: updatePair.name, value: updatePair.candidate, baselineName: updatePair.baselineName, baseline: updatePair.baseline });

// A user of 1,000 memories for get, getAll and search.
await seed('reader', 1_000);
const readerKeys = userKeys(prefix, 'reader');
const [someId] = await raw.zrevrange(readerKeys.timeline, 0, 0);
pairs.push(
  await comparePair({
    name: 'RedisProvider.get',
    baselineName: 'raw ioredis HGET + JSON.parse',
    iterations: 1_000,
    candidate: () => provider.get('reader', someId!),
    baseline: async () => JSON.parse((await raw.hget(readerKeys.records, someId!))!),
  }),
);
pairs.push(
  await comparePair({
    name: 'RedisProvider.getAll (page of 100 of 1,000)',
    baselineName: 'raw ioredis ZREVRANGE then HMGET (2 round trips)',
    iterations: 500,
    candidate: () => provider.getAll('reader', { limit: 100 }),
    baseline: async () => {
      const ids = await raw.zrevrange(readerKeys.timeline, 0, 100);
      return (await raw.hmget(readerKeys.records, ...ids)).map((value) => JSON.parse(value!));
    },
  }),
);
// deleteAll of a 50-memory user; each run takes a fresh user seeded before timing starts.
const runs = 120;
for (let i = 0; i < runs; i++) {
  await seed(`forget-provider-${i}`, 50);
  await seed(`forget-raw-${i}`, 50);
}
let providerVictim = 0;
let rawVictim = 0;
pairs.push(
  await comparePair({
    name: 'RedisProvider.deleteAll (50 memories)',
    baselineName: 'raw ioredis MULTI HLEN+UNLINK of the user’s keys',
    iterations: 100,
    warmup: 10,
    candidate: () => provider.deleteAll(`forget-provider-${providerVictim++}`),
    baseline: () => {
      const keys = userKeys(prefix, `forget-raw-${rawVictim++}`);
      return raw.multi().hlen(keys.records).unlink(...keys.all).exec();
    },
  }),
);
figures.push(...pairs.map(within15));

// Session memory's read: the 10 newest memories of one session (every 200th of a user's 10,000, the
// rest in other sessions) through the sessions index, beside the same user's data without it (the
// timeline walk filtering in Lua, as before the index), cursors followed until 10 are found.
for (const userId of ['sessions-indexed', 'sessions-walked']) {
  for (let start = 0; start < 10_000; start += 1_000) {
    await Promise.all(
      Array.from({ length: 1_000 }, (_, i) =>
        provider.add(userId, note(sentence(start + i)), { sessionId: (start + i) % 200 === 0 ? 'current' : `earlier-${(start + i) % 37}` }),
      ),
    );
  }
}
const walkedKeys = userKeys(prefix, 'sessions-walked');
await raw.hdel(walkedKeys.stats, 'e');
await raw.del(walkedKeys.sessions);
async function sessionTurns(userId: string): Promise<number> {
  const found: Memory[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.getAll(userId, { filters: { sessionId: 'current' }, limit: 10 - found.length, ...(cursor ? { cursor } : {}) });
    found.push(...page.memories);
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined && found.length < 10);
  if (found.length !== 10) throw new Error(`${userId}: ${found.length} session memories found, 10 expected`);
  return found.length;
}
const sessionPair = await comparePair({
  name: 'RedisProvider.getAll filtered by sessionId (10 newest of a 50-memory session, user of 10,000)',
  baselineName: 'the same data walked on the timeline (no sessions index)',
  iterations: 300,
  candidate: () => sessionTurns('sessions-indexed'),
  baseline: () => sessionTurns('sessions-walked'),
});
figures.push({
  name: sessionPair.name,
  value: sessionPair.candidate,
  baselineName: sessionPair.baselineName,
  baseline: sessionPair.baseline,
  target: 'ratio <= 0.5',
  met: sessionPair.medianRatio <= 0.5,
});

await searchAtScale({ figures, provider, raw, prefix, legacyAdd });

// Forgetting a user with 10,000 memories: one deleteAll vs the spec's getAll-then-delete loop.
async function specForget(userId: string): Promise<number> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.getAll(userId, cursor === undefined ? { limit: 1000 } : { limit: 1000, cursor });
    ids.push(...page.memories.map((memory: Memory) => memory.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  for (const id of ids) await provider.delete(userId, id);
  return ids.length;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    medianMs: sorted[Math.ceil(sorted.length / 2) - 1]!,
    p99Ms: sorted[sorted.length - 1]!,
    meanMs: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}

const forgetSamples: number[] = [];
const loopSamples: number[] = [];
let forgetCommands = 0;
let loopCommands = 0;
for (let round = 0; round < 3; round++) {
  await seed('ten-thousand', 10_000);
  commands = 0;
  let started = performance.now();
  if ((await provider.deleteAll('ten-thousand')) !== 10_000) throw new Error('deleteAll missed memories');
  forgetSamples.push(performance.now() - started);
  forgetCommands = commands;
  await seed('ten-thousand', 10_000);
  commands = 0;
  started = performance.now();
  if ((await specForget('ten-thousand')) !== 10_000) throw new Error('the loop missed memories');
  loopSamples.push(performance.now() - started);
  loopCommands = commands;
}
const forget = stats(forgetSamples);
const loop = stats(loopSamples);
const speedup = loop.medianMs / forget.medianMs;
const show = (value: Stats) => `median ${formatDuration(value.medianMs)}, p99 ${formatDuration(value.p99Ms)}`;
figures.push({
  name: `forget a user with 10,000 memories: deleteAll, ${speedup.toFixed(0)}x faster`,
  value: { text: show(forget) },
  baselineName: 'spec loop (getAll pages, then delete each)',
  baseline: { text: show(loop) },
  target: '>= 100x faster',
  met: speedup >= 100,
});

// Round trips: commands the provider's client sent for one call (each call awaits one reply).
async function roundTrips(run: () => Promise<unknown>): Promise<number> {
  commands = 0;
  await run();
  return commands;
}
await seed('counted', 20);
// Every script once, so the counts below are of cached scripts (EVALSHA without the EVAL fallback).
await provider.getAll('counted', { filters: { category: 'x' } });
await provider.search('counted', 'tea', { filters: { category: 'x' } });
const countedId = await provider.add('counted', note('to delete'));
const counts: Array<[string, number]> = [
  ['add', await roundTrips(() => provider.add('counted', note('one more')))],
  ['get', await roundTrips(() => provider.get('counted', countedId))],
  ['getAll', await roundTrips(() => provider.getAll('counted', { limit: 10 }))],
  ['getAll with filter', await roundTrips(() => provider.getAll('counted', { filters: { category: 'x' } }))],
  ['search', await roundTrips(() => provider.search('counted', 'tea'))],
  ['search with filter', await roundTrips(() => provider.search('counted', 'tea', { filters: { category: 'x' } }))],
  ['delete', await roundTrips(() => provider.delete('counted', countedId))],
  ['deleteAll', await roundTrips(() => provider.deleteAll('counted'))],
];
for (const [operation, count] of counts) {
  figures.push({
    name: `round trips: ${operation}`,
    value: { text: String(count) },
    target: '1',
    met: count === 1,
  });
}
figures.push({
  name: 'round trips: forget 10,000 memories',
  value: { text: `${forgetCommands} (deleteAll)` },
  baselineName: 'spec loop',
  baseline: { text: String(loopCommands) },
  target: '1',
  met: forgetCommands === 1,
});

printFigures(`@fastagentic/redis vs raw ioredis (private redis-server ${server.port}, same run)`, figures);

await client.quit();
await raw.quit();
await server.destroy();
