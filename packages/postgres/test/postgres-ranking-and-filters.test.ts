import { InMemoryProvider, type Memory, type MemoryFilter } from '@fastagentic/memory';
import { compareRanked, matchesFilter, parseMemoryFilter, scoreTerms, terms } from '@fastagentic/memory/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresProvider } from '../src/index.js';
import { checkSessionReads, InMemoryTwin } from '@fastagentic/testkit';
import { adminQuery, dropSchema, POSTGRES_URL, uniqueSchema } from './shared-postgres.js';
import { CONNECTION_TIMEOUT_MS } from './test-timeout.js';

const schema = uniqueSchema('rank');
let provider: PostgresProvider;

beforeAll(async () => {
  provider = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema });
  await provider.ready();
});
afterAll(async () => {
  await provider.close();
  await dropSchema(schema);
});

/** A small deterministic generator, so a failure can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** The core's contract computed here over every live memory: scoreTerms with this user's statistics, compareRanked order. */
function referenceRanking(memories: Memory[], query: string, limit: number): Array<{ id: string; score: number }> {
  const queryTerms = [...new Set(terms(query))];
  const termLists = new Map(memories.map((memory) => [memory.id, terms(memory.memory)]));
  const df = new Map<string, number>();
  let total = 0;
  for (const list of termLists.values()) {
    total += list.length;
    for (const term of new Set(list)) df.set(term, (df.get(term) ?? 0) + 1);
  }
  const stats = { memoryCount: memories.length, totalTermCount: total, documentFrequency: (term: string) => df.get(term) ?? 0 };
  const ranked: Memory[] = [];
  for (const memory of memories) {
    const list = termLists.get(memory.id)!;
    if (!queryTerms.some((term) => list.includes(term))) continue;
    const score = scoreTerms(queryTerms, { termFrequency: (term) => list.filter((t) => t === term).length, length: list.length }, stats);
    ranked.push({ ...memory, score });
  }
  return ranked
    .sort(compareRanked)
    .slice(0, limit)
    .map((memory) => ({ id: memory.id, score: memory.score! }));
}

async function listAll(userId: string): Promise<Memory[]> {
  const all: Memory[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.getAll(userId, { limit: 1000, ...(cursor ? { cursor } : {}) });
    all.push(...page.memories);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

describe('lexical ranking', () => {
  it('equals InMemoryProvider on the same data after adds, updates and deletes: same memories, order and scores, with ties, filters and minRelevance', async () => {
    const next = random(7);
    const vocabulary = ['river', 'kayak', 'piano', 'coffee', 'garden', 'tomato', 'berlin', 'lisbon', 'violin', 'hiking', 'budget', 'winter'];
    const userId = 'ranking-user';
    const other = 'ranking-other';
    const twin = new InMemoryTwin(provider, new InMemoryProvider());
    for (let i = 0; i < 120; i++) {
      const words = Array.from({ length: 1 + Math.floor(next() * 5) }, () => vocabulary[Math.floor(next() * next() * vocabulary.length)]!);
      await twin.add(userId, `Note ${words.join(' ')}`, { n: i, group: i % 3 });
      // Another user with the same words must not change this user's statistics.
      if (i % 3 === 0) await twin.add(other, `Other ${words.join(' ')} ${words.join(' ')}`);
    }
    for (let i = 0; i < twin.added.length; i += 7) await twin.delete(i);
    // Updates move a memory's postings and statistics from its old terms to its new ones.
    for (let i = 1; i < twin.added.length; i += 9) {
      if (i % 7 === 0) continue; // deleted above
      const words = Array.from({ length: 1 + (i % 5) }, () => vocabulary[Math.floor(next() * vocabulary.length)]!);
      await twin.update(i, i % 2 === 0 ? { text: `Changed ${words.join(' ')}` } : { text: `Changed ${words.join(' ')}`, metadata: { n: i, group: 2 } });
    }
    await twin.update(2, { metadata: { n: 2, group: 1 } });
    let ties = 0;
    for (const query of ['river kayak', 'piano', 'coffee garden tomato', 'winter budget hiking lisbon', 'violin violin berlin', 'unknownword']) {
      const found = await twin.expectSameSearch(userId, query, { limit: 25 });
      if (query !== 'unknownword') expect(found.length).toBeGreaterThan(0);
      ties += found.filter((memory, index) => index > 0 && memory.score === found[index - 1]!.score).length;
      await twin.expectSameSearch(userId, query, { limit: 8, filters: { group: { ne: 1 } } });
      await twin.expectSameSearch(userId, query, { limit: 30, minRelevance: 0.5, filters: { n: { gte: 30 } } });
    }
    expect(ties).toBeGreaterThan(0);
  });

  it('addMany stores the items in order in one transaction, with statistics as exact as single adds', async () => {
    const next = random(11);
    const vocabulary = ['maple', 'cedar', 'birch', 'spruce', 'willow', 'aspen'];
    const userId = 'batch-user';
    const texts = Array.from({ length: 120 }, (_, i) => `Tree ${i} ${Array.from({ length: 1 + Math.floor(next() * 5) }, () => vocabulary[Math.floor(next() * 6)]).join(' ')}`);
    const ids = await provider.addMany(userId, texts.slice(0, 100).map((content) => ({ messages: [{ role: 'user' as const, content }], metadata: { batch: true } })));
    expect(ids.length).toBe(100);
    for (const content of texts.slice(100)) await provider.add(userId, [{ role: 'user', content }]);
    const live = await listAll(userId);
    expect(live.slice(20).map((memory) => memory.id)).toEqual([...ids].reverse());
    expect(live[live.length - 1]!.memory).toBe(texts[0]);
    for (const query of ['maple cedar', 'willow', 'aspen birch spruce']) {
      const found = await provider.search(userId, query, { limit: 30 });
      expect(found.map((memory) => ({ id: memory.id, score: memory.score }))).toEqual(referenceRanking(live, query, 30));
    }
    const error = await provider.addMany(userId, [{ messages: [] }]).catch((caught: unknown) => caught);
    expect((error as { field?: string }).field).toBe('items.0.messages');
  });

  it('a user indexed by another term pipeline version is re-indexed before it is searched, never mixed', async () => {
    const userId = 'reindex-user';
    for (const content of ['Paddles a kayak on the river', 'Plays piano at night', 'River walks with a dog']) {
      await provider.add(userId, [{ role: 'user', content }]);
    }
    const before = await provider.search(userId, 'river kayak');
    // Pretend an older pipeline wrote this user's index: wrong postings and an old version.
    const t = provider.tables;
    const { adminQuery } = await import('./shared-postgres.js');
    await adminQuery(`DELETE FROM ${t.postings} WHERE user_id = $1`, [userId]);
    await adminQuery(`INSERT INTO ${t.postings} (user_id, term, memory_seq, tf, length) VALUES ($1, 'stale', 1, 1, 1)`, [userId]);
    await adminQuery(`UPDATE ${t.users} SET terms_version = 'old' WHERE user_id = $1`, [userId]);
    expect(await provider.search(userId, 'river kayak')).toEqual(before);
    const [row] = await adminQuery<{ terms_version: string }>(`SELECT terms_version FROM ${t.users} WHERE user_id = $1`, [userId]);
    expect(row!.terms_version).not.toBe('old');
    const [stale] = await adminQuery<{ count: number }>(`SELECT count(*)::int AS count FROM ${t.postings} WHERE user_id = $1 AND term = 'stale'`, [userId]);
    expect(stale!.count).toBe(0);

    await adminQuery(`UPDATE ${t.users} SET terms_version = 'old' WHERE user_id = $1`, [userId]);
    expect(await provider.reindexTerms()).toBe(1);
    expect(await provider.search(userId, 'river kayak')).toEqual(before);
  });

  it('supplied indexTerms and queryTerms rank like the words they stand for, through a delete and a re-index', async () => {
    expect(provider.capabilities.suppliedTerms).toBe(true);
    const opaque = (list: readonly string[]) => list.map((term) => `k.${[...term].reverse().join('')}`);
    const texts = ['Drinks green tea every morning', 'Tea tea and piano', 'Piano lessons on Sunday', 'A walk by the river', 'Green river tea'];
    const textOf = new Map<string, string>();
    const suppliedIds: string[] = [];
    for (const [i, text] of texts.entries()) {
      textOf.set(await provider.add('words-user', [{ role: 'user', content: text }]), text);
      // The stored text is unrelated to its supplied terms: only they are indexed.
      const id = await provider.add('supplied-user', [{ role: 'user', content: `sealed ${i}` }], {}, { indexTerms: opaque(terms(text)) });
      textOf.set(id, text);
      suppliedIds.push(id);
    }
    const compare = async (query: string) => {
      const expected = await provider.search('words-user', query, { limit: 100 });
      expect(expected.length, query).toBeGreaterThan(1);
      const found = await provider.search('supplied-user', 'unrelated', { limit: 100, queryTerms: opaque(terms(query)) });
      // Equal scores order by id, which differs between the two users: compare score per text.
      const byText = (list: Memory[]) => list.map((memory) => [textOf.get(memory.id)!, memory.score!] as const).sort();
      expect(byText(found)).toEqual(byText(expected));
      expect([...found].sort(compareRanked)).toEqual(found);
    };
    await compare('green tea piano');
    expect(await provider.search('supplied-user', 'tea')).toEqual([]);
    const wordIds = [...textOf.keys()].filter((id) => !suppliedIds.includes(id));
    await provider.delete('words-user', wordIds[1]!);
    await provider.delete('supplied-user', suppliedIds[1]!);
    await compare('green tea piano');
    const { adminQuery } = await import('./shared-postgres.js');
    await adminQuery(`UPDATE ${provider.tables.users} SET terms_version = 'old' WHERE user_id = $1`, ['supplied-user']);
    await compare('green tea piano');
    await compare('river walk');
  });

  it('a term in more memories than candidateCap still ranks exactly for candidates that other terms bring in', async () => {
    const capped = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema, tablePrefix: 'capped_', candidateCap: 5 });
    try {
      const userId = 'cap-user';
      for (let i = 0; i < 12; i++) await capped.add(userId, [{ role: 'user', content: `common word ${i % 2 ? 'common' : ''} item${i}` }]);
      await capped.add(userId, [{ role: 'user', content: 'rare common common common' }]);
      const all = await listAllOf(capped, userId);
      const found = await capped.search(userId, 'rare common');
      const reference = referenceRanking(all, 'rare common', 10);
      // The rare memory's score includes its 'common' frequency though 'common' was read only in part.
      expect(found[0]!.score).toBe(reference[0]!.score);
      expect(found[0]!.memory).toBe('rare common common common');
    } finally {
      await capped.close();
    }
  });
});

async function listAllOf(store: PostgresProvider, userId: string): Promise<Memory[]> {
  return (await store.getAll(userId, { limit: 1000 })).memories;
}

describe('filters in SQL', () => {
  const keys = ['a', 'b', 'tags', 'category', "we'ird key", 'sessionId'];
  const strings = ['', 'x', 'X', 'xy', 'apple', 'Apple', '5', '10', '2026-01-05', 'ü', 'Ω', 'null', 'true'];
  const numbers = [0, -1, 1, 1.5, 5, 10, 1e21, -0.25];

  function randomPrimitive(next: () => number): string | number | boolean | null {
    const pick = next();
    if (pick < 0.45) return strings[Math.floor(next() * strings.length)]!;
    if (pick < 0.85) return numbers[Math.floor(next() * numbers.length)]!;
    if (pick < 0.95) return next() < 0.5;
    return null;
  }

  function randomValue(next: () => number): unknown {
    const pick = next();
    if (pick < 0.65) return randomPrimitive(next);
    if (pick < 0.9) {
      return Array.from({ length: Math.floor(next() * 4) }, () => (next() < 0.1 ? [randomPrimitive(next)] : randomPrimitive(next)));
    }
    return { inner: randomPrimitive(next) };
  }

  function randomCondition(next: () => number): MemoryFilter {
    const field = next() < 0.1 ? 'categories' : keys[Math.floor(next() * keys.length)]!;
    const operator = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains'][Math.floor(next() * 9)]!;
    let value: unknown;
    if (operator === 'in' || operator === 'nin') value = Array.from({ length: Math.floor(next() * 3) }, () => randomPrimitive(next));
    else if (['gt', 'gte', 'lt', 'lte'].includes(operator)) {
      value = next() < 0.5 ? numbers[Math.floor(next() * numbers.length)] : strings[Math.floor(next() * strings.length)];
    } else value = randomPrimitive(next);
    if (operator === 'eq' && next() < 0.3) return { [field]: value } as MemoryFilter;
    return { [field]: { [operator]: value } } as MemoryFilter;
  }

  function randomFilter(next: () => number, depth = 0): MemoryFilter {
    const pick = next();
    if (depth < 2 && pick < 0.15) return { AND: [randomFilter(next, depth + 1), randomFilter(next, depth + 1)] };
    if (depth < 2 && pick < 0.3) return { OR: [randomFilter(next, depth + 1), randomFilter(next, depth + 1)] };
    if (depth < 2 && pick < 0.4) return { NOT: randomFilter(next, depth + 1) };
    return randomCondition(next);
  }

  it('select exactly what the core’s matchesFilter selects, on random metadata and 400 random filters', async () => {
    const next = random(42);
    const userId = 'filter-property';
    for (let i = 0; i < 60; i++) {
      const metadata: Record<string, unknown> = {};
      for (const key of keys) if (next() < 0.6) metadata[key] = randomValue(next);
      if (next() < 0.2) metadata.categories = ['x', 'apple'].filter(() => next() < 0.5);
      await provider.add(userId, [{ role: 'user', content: `Filter memory ${i}` }], metadata as never);
    }
    const all = await listAll(userId);
    expect(all.length).toBe(60);
    let selectedSome = 0;
    for (let round = 0; round < 400; round++) {
      const filter = randomFilter(next);
      const expected = all.filter((memory) => matchesFilter(memory, parseMemoryFilter(filter))).map((memory) => memory.id);
      const page = await provider.getAll(userId, { filters: filter, limit: 1000 });
      expect(page.memories.map((memory) => memory.id), JSON.stringify(filter)).toEqual(expected);
      if (expected.length > 0 && expected.length < all.length) selectedSome++;
    }
    // The random filters must discriminate, not select everything or nothing.
    expect(selectedSome).toBeGreaterThan(100);
  });
});

describe('the session indexes', () => {
  it('a session filter reads the session through its indexes, with lists of session ids, pages and an AND', async () => {
    const userId = 'sessions';
    await checkSessionReads(provider, userId);
    // Each half of the read is an index scan of a session index, not of the user's rows.
    await adminQuery(`ANALYZE "${schema}".fastagentic_memories`);
    const plan = await adminQuery<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT * FROM (
         (SELECT m.seq FROM "${schema}".fastagentic_memories m WHERE m.user_id = $1 AND (m.metadata ->> 'sessionId') = $2 ORDER BY m.seq DESC LIMIT 11)
         UNION ALL
         (SELECT m.seq FROM "${schema}".fastagentic_memories m WHERE m.user_id = $1 AND jsonb_typeof(m.metadata -> 'sessionId') = 'array' ORDER BY m.seq DESC LIMIT 11)
       ) m ORDER BY m.seq DESC LIMIT 11`,
      [userId, 'mine'],
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toMatch(/fastagentic_memories_by_session/);
    expect(text).toMatch(/fastagentic_memories_session_lists/);
    await provider.deleteAll(userId);
  });

  it('a store at the previous schema version gets the session indexes when it opens, its memories kept', async () => {
    const older = uniqueSchema('schema3');
    const first = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema: older });
    const kept = await first.add('u', [{ role: 'user', content: 'kept' }], { sessionId: 's' });
    await first.close();
    // What version 3 left: no session indexes, three versions recorded.
    await adminQuery(`DROP INDEX "${older}".fastagentic_memories_by_session`);
    await adminQuery(`DROP INDEX "${older}".fastagentic_memories_session_lists`);
    await adminQuery(`DELETE FROM "${older}".fastagentic_migrations WHERE version >= 4`);
    await adminQuery(`DROP TABLE "${older}".fastagentic_history`);
    await adminQuery(`DROP TABLE "${older}".fastagentic_forgets`);
    await adminQuery(`ALTER TABLE "${older}".fastagentic_memories DROP COLUMN updated_at`);
    const reopened = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema: older });
    try {
      expect((await reopened.getAll('u', { filters: { sessionId: 's' } })).memories.map((memory) => memory.id)).toEqual([kept]);
      const indexes = await adminQuery<{ indexname: string }>(
        `SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname LIKE '%session%' ORDER BY indexname`,
        [older],
      );
      expect(indexes.map((row) => row.indexname)).toEqual(['fastagentic_memories_by_session', 'fastagentic_memories_session_lists']);
    } finally {
      await reopened.close();
      await dropSchema(older);
    }
  });

  it('a store at schema version 4 gets its history when it opens: its memories then update, with history, keeping their times', async () => {
    const older = uniqueSchema('schema4');
    const first = new PostgresProvider({ connectionString: POSTGRES_URL, schema: older });
    const kept = await first.add('u', [{ role: 'user', content: 'kept about kayaks' }]);
    const before = (await first.get('u', kept))!;
    await first.close();
    // What version 4 left: no history table, no updated_at column, no forget fence.
    await adminQuery(`DELETE FROM "${older}".fastagentic_migrations WHERE version >= 5`);
    await adminQuery(`DROP TABLE "${older}".fastagentic_history`);
    await adminQuery(`DROP TABLE "${older}".fastagentic_forgets`);
    await adminQuery(`ALTER TABLE "${older}".fastagentic_memories DROP COLUMN updated_at`);
    const reopened = new PostgresProvider({ connectionString: POSTGRES_URL, schema: older });
    try {
      expect(await reopened.get('u', kept)).toEqual(before);
      expect((await reopened.history('u', kept)).map((entry) => entry.event)).toEqual(['add']);
      const updated = await reopened.update('u', kept, { text: 'kept about canoes' });
      expect(updated.createdAt).toBe(before.createdAt);
      expect((await reopened.search('u', 'canoes')).map((memory) => memory.id)).toEqual([kept]);
      expect(await reopened.search('u', 'kayaks')).toEqual([]);
      expect((await reopened.history('u', kept)).map((entry) => [entry.event, entry.previousText, entry.text])).toEqual([
        ['add', null, 'kept about kayaks'],
        ['update', 'kept about kayaks', 'kept about canoes'],
      ]);
    } finally {
      await reopened.close();
      await dropSchema(older);
    }
  });

  it('a store at schema version 5 gets its forget fence when it opens, its memories and their history kept', async () => {
    const older = uniqueSchema('schema5');
    const first = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema: older });
    const kept = await first.add('u', [{ role: 'user', content: 'kept about kayaks' }]);
    await first.update('u', kept, { text: 'kept about canoes' });
    await first.close();
    // What version 5 left: history, no forgets table.
    await adminQuery(`DELETE FROM "${older}".fastagentic_migrations WHERE version >= 6`);
    await adminQuery(`DROP TABLE "${older}".fastagentic_forgets`);
    const reopened = new PostgresProvider({ connectionString: POSTGRES_URL, connectionTimeoutMs: CONNECTION_TIMEOUT_MS, schema: older });
    try {
      expect((await reopened.history('u', kept)).map((entry) => entry.event)).toEqual(['add', 'update']);
      const promisedBefore = Date.now() - 1000;
      expect(await reopened.deleteAll('u')).toBe(1);
      expect(await reopened.add('u', [{ role: 'user', content: 'promised before the forget' }], undefined, { promisedAt: promisedBefore })).toBe('');
      expect((await reopened.getAll('u')).memories).toEqual([]);
      const versions = await adminQuery<{ version: number }>(`SELECT version FROM "${older}".fastagentic_migrations ORDER BY version`);
      expect(versions.map((row) => row.version)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      await reopened.close();
      await dropSchema(older);
    }
  });

  it('times every version of a memory apart, to the millisecond, however fast the changes come', async () => {
    const userId = 'update-times';
    const id = await provider.add(userId, [{ role: 'user', content: 'first text' }]);
    for (let i = 0; i < 5; i++) await provider.update(userId, id, { text: `text ${i}` });
    await provider.delete(userId, id);
    const times = (await provider.history(userId, id)).map((entry) => Date.parse(entry.at));
    expect(times).toHaveLength(7);
    for (let i = 1; i < times.length; i++) expect(times[i], `version ${i}`).toBeGreaterThan(times[i - 1]!);
    await provider.deleteAll(userId);
  });
});

