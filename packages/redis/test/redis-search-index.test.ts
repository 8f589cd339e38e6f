import type { Memory, MemoryFilter, Metadata, SearchOptions } from '@fastagentic/memory';
import {
  compareRanked,
  matchesFilter,
  parseMemoryFilter,
  parseSearchOptions,
  scoreTerms,
  terms,
  type FilterNode,
} from '@fastagentic/memory/provider';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { userKeys } from '../src/redis-key-layout.js';
import { indexAgainstRecords } from './index-consistency.js';
import { scanKeys } from '@fastagentic/test-services';
import { checkSessionReads } from '@fastagentic/testkit';
import { SHARED_REDIS_URL, uniquePrefix } from './shared-redis.js';

const port = Number(new URL(SHARED_REDIS_URL).port || 6379);
const prefix = uniquePrefix('index');
const client = new Redis(SHARED_REDIS_URL);
const provider = new RedisProvider({ client, prefix });
const note = (content: string) => [{ role: 'user' as const, content }];

afterAll(async () => {
  for (const key of await scanKeys(port, prefix)) await client.unlink(key);
  await client.quit();
});

/** A small deterministic PRNG, so every run sees the same "random" data. */
function seeded(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

async function everyMemory(userId: string): Promise<Memory[]> {
  const all: Memory[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.getAll(userId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    all.push(...page.memories);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

/** The ids of every page of a filtered getAll, cursor to cursor. */
async function pagedIds(store: RedisProvider, userId: string, filters: MemoryFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.getAll(userId, { filters, limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.memories.map((memory) => memory.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

/** The search contract computed in JavaScript: the core's terms, scoreTerms, matchesFilter and compareRanked. */
function referenceSearch(memories: Memory[], query: string, options: SearchOptions): Array<[string, number]> {
  const { limit, filter, minRelevance } = parseSearchOptions(options);
  const queryTerms = [...new Set(terms(query))];
  const termLists = new Map(memories.map((memory) => [memory.id, terms(memory.memory)]));
  const documentFrequency = (term: string) => memories.filter((memory) => termLists.get(memory.id)!.includes(term)).length;
  const stats = {
    memoryCount: memories.length,
    totalTermCount: [...termLists.values()].reduce((sum, list) => sum + list.length, 0),
    documentFrequency,
  };
  const scored: Memory[] = [];
  for (const memory of memories) {
    const list = termLists.get(memory.id)!;
    if (!queryTerms.some((term) => list.includes(term)) || !matchesFilter(memory, filter)) continue;
    const score = scoreTerms(queryTerms, { termFrequency: (term) => list.filter((t) => t === term).length, length: list.length }, stats);
    if (score < minRelevance || (minRelevance > 0 && score === 0)) continue;
    scored.push({ ...memory, score });
  }
  return scored.sort(compareRanked).slice(0, limit).map((memory) => [memory.id, memory.score!]);
}

const VOCABULARY = (
  'tea coffee green black morning evening piano guitar lesson sunday berlin paris river dog cat walk ' +
  'garden tomato allergy peanut doctor meeting project deadline budget hiking boots spring winter ' +
  'café naïve straße 東京 données'
).split(' ');

function sentence(random: ReturnType<typeof seeded>, words: number): string {
  return Array.from({ length: words }, () => random.pick(VOCABULARY)).join(' ');
}

function expectSameRanking(actual: Memory[], expected: Array<[string, number]>, label: string) {
  expect(actual.map((memory) => memory.id), label).toEqual(expected.map(([id]) => id));
  actual.forEach((memory, i) => expect(Math.abs(memory.score! - expected[i]![1]), label).toBeLessThanOrEqual(1e-9));
}

describe('search on the Redis index', () => {
  it('ranks and scores as the core’s scoreTerms and compareRanked on a fixed data set, filters and limits included', async () => {
    const userId = 'ranking';
    const random = seeded(12);
    const texts = [
      'Drinks green tea every morning',
      'Tea with milk in the afternoon, tea again at five, tea tea',
      'Practises piano on Sundays',
      'Piano tuner visits in spring, brings tea',
      ...Array.from({ length: 60 }, () => sentence(random, 2 + random.int(14))),
    ];
    // Batches of parallel adds: many memories share a millisecond, so ties go to the id.
    for (let i = 0; i < texts.length; i += 8) {
      await Promise.all(
        texts.slice(i, i + 8).map((text, j) =>
          provider.add(userId, note(text), { category: (i + j) % 3 === 0 ? 'even' : 'odd', priority: (i + j) % 7 }),
        ),
      );
    }
    const memories = await everyMemory(userId);
    const queries: Array<[string, SearchOptions]> = [
      ['tea piano', { limit: 100 }],
      ['morning tea', { limit: 3 }],
      ['tea', { limit: 50, filters: { category: 'odd' } }],
      ['piano river dog', { minRelevance: 0.3, limit: 100 }],
      ['piano tea spring garden', { filters: { priority: { gte: 2 } }, limit: 20 }],
      ['café 東京 données naïve', { limit: 100 }],
      ['straße budget deadline project meeting doctor', {}],
      ['cats walks', { limit: 100, filters: { OR: [{ priority: { in: [1, 3] } }, { NOT: { category: 'odd' } }] } }],
      ['unknownword', {}],
    ];
    for (const [query, options] of queries) {
      const expected = referenceSearch(memories, query, options);
      if (query !== 'unknownword') expect(expected.length, query).toBeGreaterThan(0);
      expectSameRanking(await provider.search(userId, query, options), expected, query);
    }
  });

  it('indexes supplied indexTerms and queries supplied queryTerms like the words they stand for, through a re-index', async () => {
    expect(provider.capabilities.suppliedTerms).toBe(true);
    const opaque = (list: readonly string[]) => list.map((term) => `k.${[...term].reverse().join('')}`);
    const random = seeded(31);
    const texts = ['Drinks green tea every morning', 'Tea tea and piano', ...Array.from({ length: 30 }, () => sentence(random, 2 + random.int(10)))];
    const textOf = new Map<string, string>();
    for (const [i, text] of texts.entries()) {
      textOf.set(await provider.add('words', note(text)), text);
      // The stored text is unrelated to its supplied terms: only they are indexed.
      textOf.set(await provider.add('supplied', note(`sealed ${i}`), {}, { indexTerms: opaque(terms(text)) }), text);
    }
    const compare = async (query: string) => {
      const expected = await provider.search('words', query, { limit: 100 });
      expect(expected.length, query).toBeGreaterThan(0);
      const found = await provider.search('supplied', 'unrelated', { limit: 100, queryTerms: opaque(terms(query)) });
      // Equal scores order by id, which differs between the two users: compare score per text.
      const byText = (list: Memory[]) => list.map((memory) => [textOf.get(memory.id)!, memory.score!] as const).sort();
      expect(byText(found)).toEqual(byText(expected));
      expect([...found].sort(compareRanked)).toEqual(found);
    };
    for (const query of ['tea piano', 'morning tea', 'cats walks']) await compare(query);
    expect(await provider.search('supplied', 'tea piano')).toEqual([]);
    await provider.reindexUser('supplied');
    await compare('tea piano');
  });

  it('with a candidate cap, every returned score is still exact and the cap only narrows the candidates', async () => {
    const userId = 'ranking';
    const memories = await everyMemory(userId);
    const capped = new RedisProvider({ client, prefix, maxSearchCandidates: 10 });
    const query = 'tea piano river green';
    const exact = new Map(referenceSearch(memories, query, { limit: 100 }));
    const results = await capped.search(userId, query, { limit: 100 });
    expect(results.length).toBeGreaterThanOrEqual(10);
    expect(results.length).toBeLessThan(exact.size);
    for (const memory of results) expect(Math.abs(memory.score! - exact.get(memory.id)!)).toBeLessThanOrEqual(1e-9);
    for (let i = 1; i < results.length; i++) expect(compareRanked(results[i - 1]!, results[i]!)).toBeLessThan(0);
  });

  it('filters in Lua exactly as matchesFilter: random metadata and filters, through getAll pages and search', async () => {
    const random = seeded(7);
    const values: unknown[] = [
      0, 1, -1, 2.5, -0.5, 1e21, 'a', 'b', 'ab', 'B', '', 'é', '\uE000x', '😀', '\uFFFF', 'Zz', true, false, null,
      // Lone surrogates (JSON.stringify escapes them) and a backslash followed by the same letters.
      '\uD800', 'x\uDFFFy', '\uD83D', '\\ud800', 'a\0b',
      [], {}, ['a', 1, null], [2, 'é'], { a: 1 }, [['a']], [{ a: 'a' }],
    ];
    const fields = ['f0', 'f1', 'sessionId', 'category', 'categories', 'missing'];
    const userId = 'filters';
    for (let i = 0; i < 60; i++) {
      const metadata: Record<string, unknown> = {};
      for (const field of fields.slice(0, 5)) if (random.next() < 0.7) metadata[field] = random.pick(values);
      await provider.add(userId, note(`filter probe ${i}${i % 10 === 0 ? ' \uD83D' : ''}`), metadata as Metadata);
    }
    const memories = await everyMemory(userId);
    const primitives = values.filter((value) => value === null || typeof value !== 'object');
    const ranges = primitives.filter((value) => typeof value === 'number' || typeof value === 'string');
    const operators = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
    const condition = (): Record<string, unknown> => {
      const operator = random.pick(operators);
      const value =
        operator === 'in' || operator === 'nin'
          ? Array.from({ length: 1 + random.int(3) }, () => random.pick(primitives))
          : operator.startsWith('g') || operator.startsWith('l')
            ? random.pick(ranges)
            : random.pick(primitives);
      return { [random.pick(fields)]: random.next() < 0.2 && operator === 'eq' ? value : { [operator]: value } };
    };
    const tree = (depth: number): Record<string, unknown> => {
      const roll = random.next();
      if (depth === 0 || roll < 0.5) return condition();
      if (roll < 0.7) return { AND: [tree(depth - 1), tree(depth - 1)] };
      if (roll < 0.9) return { OR: [tree(depth - 1), tree(depth - 1)] };
      return { NOT: tree(depth - 1) };
    };
    let nonEmpty = 0;
    for (let round = 0; round < 250; round++) {
      const filters = tree(3);
      const node = parseMemoryFilter(filters) as FilterNode;
      const expected = memories.filter((memory) => matchesFilter(memory, node)).map((memory) => memory.id);
      if (expected.length > 0) nonEmpty++;
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await provider.getAll(userId, { filters: filters as never, limit: 7, ...(cursor ? { cursor } : {}) });
        seen.push(...page.memories.map((memory) => memory.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(seen, JSON.stringify(filters)).toEqual(expected);
      const found = await provider.search(userId, 'filter probe', { filters: filters as never, limit: 100 });
      expect(found.map((memory) => memory.id).sort(), JSON.stringify(filters)).toEqual([...expected].sort());
    }
    expect(nonEmpty).toBeGreaterThan(50);
  });

  it('a filtered getAll walks the timeline once across pages, a bounded number of records per call', async () => {
    const userId = 'sparse';
    for (let batch = 0; batch < 5; batch++) {
      await Promise.all(
        Array.from({ length: 1_000 }, (_, i) => provider.add(userId, note(`row ${batch}-${i}`), { rare: (batch * 1_000 + i) % 700 === 0 })),
      );
    }
    const expected = (await everyMemory(userId)).filter((memory) => memory.metadata.rare === true).map((memory) => memory.id);
    expect(expected).toHaveLength(8);
    const seen: string[] = [];
    let calls = 0;
    let cursor: string | undefined;
    do {
      const page = await provider.getAll(userId, { filters: { rare: true }, limit: 3, ...(cursor ? { cursor } : {}) });
      calls++;
      expect(page.memories.length).toBeLessThanOrEqual(3);
      seen.push(...page.memories.map((memory) => memory.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(expected);
    // 5,000 records at most 2,000 examined per call: the user is read about once, not once per page.
    expect(calls).toBeLessThanOrEqual(6);
    await provider.deleteAll(userId);
  });
});

describe('the sessions index', () => {
  it('a filter requiring a sessionId reads that session’s memories, however many others the user has', async () => {
    const userId = 'sessions';
    // One page holds the whole session, where walking the user's 3,006 memories takes two calls and a cursor.
    const mine = await checkSessionReads(provider, userId);
    const keys = userKeys(prefix, userId);
    // A user stored before the sessions index is walked on the timeline until reindexUser builds it.
    await client.del(keys.sessions);
    await client.hdel(keys.stats, 'e');
    const walked: string[] = [];
    let calls = 0;
    let cursor: string | undefined;
    do {
      const page = await provider.getAll(userId, { filters: { sessionId: 'mine' }, limit: 10, ...(cursor ? { cursor } : {}) });
      calls++;
      walked.push(...page.memories.map((memory) => memory.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(walked).toEqual(mine);
    expect(calls).toBeGreaterThan(1);
    await provider.reindexUser(userId);
    const { actual, expected } = await indexAgainstRecords(client, keys);
    expect(actual).toEqual(expected);
    // One member per session id of each memory: 3,000 + 3 + 3 lists of two.
    expect(actual.sessions).toHaveLength(3_009);
    expect((await provider.getAll(userId, { filters: { sessionId: 'mine' }, limit: 10 })).nextCursor).toBeNull();
    await provider.deleteAll(userId);
  });

  it('indexes the configured session field, and a write through another field leaves the index to a re-index', async () => {
    const userId = 'rooms';
    const rooms = new RedisProvider({ client, prefix, sessionField: 'room' });
    const inRoom: string[] = [];
    for (let batch = 0; batch < 3; batch++) {
      await Promise.all(Array.from({ length: 1_000 }, (_, i) => rooms.add(userId, note(`lobby ${batch}-${i}`), { room: 'lobby' })));
      inRoom.unshift(await rooms.add(userId, note(`kitchen ${batch}`), { room: 'kitchen', sessionId: 'ignored' }));
    }
    const keys = userKeys(prefix, userId);
    expect((await indexAgainstRecords(client, keys, 'room')).actual.sessions).toHaveLength(3_003);
    const page = await rooms.getAll(userId, { filters: { room: 'kitchen' }, limit: 10 });
    expect(page.memories.map((memory) => memory.id)).toEqual(inRoom);
    expect(page.nextCursor).toBeNull();
    // The default field through the same keys: the index is not its own, so it walks, and its write
    // drops the index; the room provider then walks too until its re-index.
    expect(await pagedIds(provider, userId, { sessionId: 'ignored' }, 10)).toEqual(inRoom);
    await provider.add(userId, note('kitchen again'), { room: 'kitchen', sessionId: 'other' });
    expect(await client.exists(keys.sessions)).toBe(0);
    expect(await client.hexists(keys.stats, 'e')).toBe(0);
    const walked = await rooms.getAll(userId, { filters: { room: 'kitchen' }, limit: 10 });
    // 4 of 3,004 memories: the walk stops after 2,000 records with 3 of them and a cursor.
    expect(walked.memories).toHaveLength(3);
    expect(walked.nextCursor).not.toBeNull();
    await rooms.reindexUser(userId);
    const { actual, expected } = await indexAgainstRecords(client, keys, 'room');
    expect(actual).toEqual(expected);
    const rebuilt = await rooms.getAll(userId, { filters: { room: 'kitchen' }, limit: 10 });
    expect(rebuilt.memories).toHaveLength(4);
    expect(rebuilt.nextCursor).toBeNull();
    expect(() => new RedisProvider({ client, prefix, sessionField: '' })).toThrow(/sessionField/);
    await provider.deleteAll(userId);
  });

  it('search finds the same memories in the same order when the terms entries predate the ids they now carry', async () => {
    const userId = 'entries-without-ids';
    const random = seeded(5);
    for (let i = 0; i < 40; i++) await provider.add(userId, note(sentence(random, 3 + random.int(6))));
    const queries = ['tea garden', 'piano lesson sunday', 'café', 'dog walk river', 'budget'];
    const before = await Promise.all(queries.map((query) => provider.search(userId, query, { limit: 7 })));
    expect(before.flat().length).toBeGreaterThan(10);
    const keys = userKeys(prefix, userId);
    const entries = await client.hgetall(keys.terms);
    for (const [seq, entry] of Object.entries(entries)) {
      expect(entry).toMatch(/\x02[0-9a-f-]{36}$/);
      await client.hset(keys.terms, seq, entry.replace(/\x02.*$/, ''));
    }
    const after = await Promise.all(queries.map((query) => provider.search(userId, query, { limit: 7 })));
    expect(after).toEqual(before);
    await provider.deleteAll(userId);
  });
});

describe('the index stays equal to the records', () => {
  it('after random interleaved adds, idempotent adds, updates, deletes and deleteAlls on several users', async () => {
    const random = seeded(99);
    const users = ['mix-a', 'mix-b', 'mix-c'];
    const ids = new Map<string, string[]>(users.map((userId) => [userId, []]));
    let checked = 0;
    let sessionsChecked = 0;
    for (let step = 0; step < 300; step++) {
      const userId = random.pick(users);
      const mine = ids.get(userId)!;
      const roll = random.next();
      if (roll < 0.55) {
        const key = random.next() < 0.3 ? `key-${random.int(5)}` : undefined;
        // Some memories have no terms at all ('...'): indexed with length 0 and no postings.
        const words = random.int(12);
        const text = words === 0 ? '...' : sentence(random, words);
        const metadata = random.pick<Metadata>([{}, { sessionId: 's1' }, { sessionId: 's2' }, { sessionId: ['s1', 's3', 's1'] }, { sessionId: 5 }]);
        const id = await provider.add(userId, note(text), metadata, key ? { idempotencyKey: key } : {});
        if (!mine.includes(id)) mine.push(id);
      } else if (roll < 0.7 && mine.length > 0) {
        // Text, metadata or both: the postings, terms entry and sessions members follow the record.
        const id = random.pick(mine);
        const words = random.int(12);
        const text = words === 0 ? '...' : sentence(random, words);
        const metadata = random.pick<Metadata>([{}, { sessionId: 's1' }, { sessionId: 's2' }, { sessionId: ['s3', 's1'] }]);
        const which = random.int(3);
        await provider.update(userId, id, which === 0 ? { text } : which === 1 ? { metadata } : { text, metadata });
      } else if (roll < 0.95 && mine.length > 0) {
        const [id] = mine.splice(random.int(mine.length), 1);
        await provider.delete(userId, id!);
      } else {
        expect(await provider.deleteAll(userId)).toBe(mine.length);
        mine.length = 0;
      }
      if (step % 10 === 9) {
        for (const each of users) {
          const { actual, expected } = await indexAgainstRecords(client, userKeys(prefix, each));
          expect(actual).toEqual(expected);
          expect(Object.keys(actual.timeline).sort()).toEqual([...ids.get(each)!].sort());
          const everything = await everyMemory(each);
          for (const session of ['s1', 's3']) {
            const page = await provider.getAll(each, { filters: { sessionId: session }, limit: 1000 });
            const inSession = everything.filter((memory) => matchesFilter(memory, parseMemoryFilter({ sessionId: session }) as FilterNode));
            expect(page.memories.map((memory) => memory.id)).toEqual(inSession.map((memory) => memory.id));
            if (inSession.length > 0) sessionsChecked++;
          }
          // A user whose memories were all deleted keeps only their history (and, once forgotten, the forget fence).
          const keys = userKeys(prefix, each);
          const left = (await scanKeys(port, keys.records.slice(0, -2))).filter((key) => key !== keys.history && key !== keys.fence);
          if (ids.get(each)!.length === 0) expect(left).toEqual([]);
          else checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(sessionsChecked).toBeGreaterThan(20);
    for (const userId of users) await provider.deleteAll(userId);
  });

  it('with a TTL every key of the user shares one expiry, and expiry leaves no key', async () => {
    const expiring = new RedisProvider({ client, prefix, ttlSeconds: 1 });
    const userId = 'expiring';
    const first = await expiring.add(userId, note('tea in the garden'), {}, { idempotencyKey: 'once' });
    await expiring.add(userId, note('piano in the garden'), { sessionId: 'evening' });
    await expiring.delete(userId, first);
    await expiring.add(userId, note('tea again'), {}, { idempotencyKey: 'again' });
    const keys = userKeys(prefix, userId);
    // Never forgotten: no fence key.
    const memoryKeys = keys.all.filter((key) => key !== keys.fence);
    expect((await scanKeys(port, keys.records.slice(0, -2))).sort()).toEqual([...memoryKeys].sort());
    const expiries = await Promise.all(memoryKeys.map((key) => client.pexpiretime(key)));
    expect(new Set(expiries).size).toBe(1);
    expect(expiries[0]).toBeGreaterThan(0);
    const { actual, expected } = await indexAgainstRecords(client, keys);
    expect(actual).toEqual(expected);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(await scanKeys(port, keys.records.slice(0, -2))).toEqual([]);
    expect(await expiring.search(userId, 'tea garden')).toEqual([]);
  });
});

describe('idempotent add', () => {
  it('stores a repeated key once per user, resolves to the first id, and frees the key on delete', async () => {
    expect(provider.capabilities.idempotentAdd).toBe(true);
    const first = await provider.add('idem-a', note('ordered a bike'), {}, { idempotencyKey: 'order-1' });
    const again = await Promise.all(
      Array.from({ length: 5 }, () => provider.add('idem-a', note('ordered a bike (resent)'), {}, { idempotencyKey: 'order-1' })),
    );
    expect(again).toEqual(Array(5).fill(first));
    expect((await provider.getAll('idem-a')).memories.map((memory) => memory.memory)).toEqual(['ordered a bike']);
    const other = await provider.add('idem-b', note('ordered a bike'), {}, { idempotencyKey: 'order-1' });
    expect(other).not.toBe(first);
    await provider.delete('idem-a', first);
    const fresh = await provider.add('idem-a', note('ordered a new bike'), {}, { idempotencyKey: 'order-1' });
    expect(fresh).not.toBe(first);
    expect((await provider.getAll('idem-a')).memories.map((memory) => memory.id)).toEqual([fresh]);
    await provider.deleteAll('idem-a');
    await provider.deleteAll('idem-b');
  });
});

describe('terms version', () => {
  it('an index of another terms version is re-indexed by the next search, never mixed', async () => {
    const userId = 'old-version';
    await provider.add(userId, note('green tea every morning'));
    await provider.add(userId, note('black coffee every evening'));
    const keys = userKeys(prefix, userId);
    // What an older pipeline left behind: another version and postings that no longer match.
    await client.hset(keys.stats, 'v', 'an-older-version');
    await client.zadd(keys.postings, 0, `stale\0${'0'.repeat(14)}\x001\x001`);
    const added = await provider.add(userId, note('tea with lemon'));
    expect(await client.hexists(keys.terms, added)).toBe(0);
    const found = await provider.search(userId, 'tea', { limit: 10 });
    expect(found.map((memory) => memory.memory).sort()).toEqual(['green tea every morning', 'tea with lemon']);
    const { actual, expected } = await indexAgainstRecords(client, keys);
    expect(actual).toEqual(expected);
    await provider.deleteAll(userId);
  });

  it('memories stored before the index existed (records and timeline only) are indexed by reindexUser', async () => {
    const userId = 'legacy';
    await provider.add(userId, note('sailing lessons on the lake'));
    await provider.add(userId, note('sailing boat repair'));
    const keys = userKeys(prefix, userId);
    await client.unlink(keys.postings, keys.stats, keys.terms);
    await provider.reindexUser(userId);
    const { actual, expected } = await indexAgainstRecords(client, keys);
    expect(actual).toEqual(expected);
    expect((await provider.search(userId, 'sailing boat')).map((memory) => memory.memory)).toEqual([
      'sailing boat repair',
      'sailing lessons on the lake',
    ]);
    await provider.deleteAll(userId);
  });
});
