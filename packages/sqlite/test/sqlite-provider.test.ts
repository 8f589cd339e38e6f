import { copyFileSync, existsSync, statSync } from 'node:fs';
import { createClient, type Client } from '@libsql/client';
import { InMemoryProvider, MemoryConfigurationError, type Memory, type MemoryFilter, type Metadata } from '@fastagentic/memory';
import { compareRanked, cosineRelevance, matchesFilter, parseMemoryFilter, roundScore, terms, TERMS_VERSION } from '@fastagentic/memory/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibsqlProvider } from '../src/index.js';
import { AXES_EMBEDDER, expectCosineRanking } from './cosine-ranking.js';
import { checkSessionReads, InMemoryTwin, TOPIC_EMBEDDER } from '@fastagentic/testkit';
import { SCHEMA_VERSION } from '../src/sqlite-schema.js';
import { temporaryFolder } from './temporary-database.js';

const folder = temporaryFolder('provider');
const url = `file:${folder.file('memory.db')}`;
let provider: LibsqlProvider;
let raw: Client;

beforeAll(() => {
  provider = new LibsqlProvider({ url });
  raw = createClient({ url });
});
afterAll(async () => {
  await provider.close();
  raw.close();
  folder.remove();
});

const note = (content: string) => [{ role: 'user' as const, content }];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const WORDS = ['tea', 'teas', 'coffee', 'piano', 'berlin', 'river', 'cat', 'cats', 'hiking', 'music', 'garden', 'the', 'and'];

async function allMemories(userId: string): Promise<Memory[]> {
  const all: Memory[] = [];
  let cursor: string | undefined;
  do {
    const page = await provider.getAll(userId, { limit: 100, ...(cursor ? { cursor } : {}) });
    all.push(...page.memories);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
}

async function rowsOfUser(userId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of ['memory_memories', 'memory_users', 'memory_postings', 'memory_term_stats', 'memory_history']) {
    const result = await raw.execute({ sql: `SELECT count(*) FROM ${table} WHERE user_id = ?`, args: [userId] });
    counts[table] = Number(result.rows[0]![0]);
  }
  return counts;
}

describe('LibsqlProvider (file)', () => {
  it('ranks as InMemoryProvider does on the same data: same memories, order and scores, with ties, filters and minRelevance', async () => {
    const next = random(7);
    const userId = 'ranking-user';
    const twin = new InMemoryTwin(provider, new InMemoryProvider());
    // Another user holding the same words must not change this user's statistics.
    for (let i = 0; i < 30; i++) await twin.add('ranking-other', `tea tea coffee ${WORDS[i % WORDS.length]}`);
    for (let i = 0; i < 80; i++) {
      const length = 1 + Math.floor(next() * 6);
      const words = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]!);
      await twin.add(userId, words.join(' '), { n: i, group: i % 3 });
    }
    // Deleting keeps the statistics exact: they cover live memories only.
    for (let index = 30; index < 40; index++) await twin.delete(index);
    // So does updating: the old text's terms leave the statistics, the new text's join them.
    for (let index = 40; index < 50; index++) {
      const words = Array.from({ length: 1 + (index % 5) }, () => WORDS[Math.floor(next() * WORDS.length)]!);
      await twin.update(index, index % 2 === 0 ? { text: words.join(' ') } : { text: words.join(' '), metadata: { n: index, group: 2 } });
    }
    await twin.update(50, { metadata: { n: 50, group: 1 } });
    let ties = 0;
    for (const query of ['tea', 'cats and piano', 'hiking river garden music', 'the garden', 'berlin coffee tea']) {
      const found = await twin.expectSameSearch(userId, query, { limit: 15 });
      expect(found.length).toBeGreaterThan(0);
      ties += found.filter((memory, index) => index > 0 && memory.score === found[index - 1]!.score).length;
      await twin.expectSameSearch(userId, query, { limit: 7, filters: { group: { ne: 1 } } });
      await twin.expectSameSearch(userId, query, { limit: 20, minRelevance: 0.5, filters: { n: { gte: 20 } } });
    }
    expect(ties).toBeGreaterThan(0);
  });

  it("ranks hybrid with an embedder as InMemoryProvider({ embedder, ranking: 'hybrid' }) does, and by cosine alone with ranking: 'embedding'", async () => {
    const hybrid = new LibsqlProvider({ url, tablePrefix: 'hybrid_', embedder: TOPIC_EMBEDDER });
    const embedding = new LibsqlProvider({ url, tablePrefix: 'hybrid_', embedder: TOPIC_EMBEDDER, ranking: 'embedding' });
    try {
      const userId = 'hybrid-user';
      const twin = new InMemoryTwin(hybrid, new InMemoryProvider({ embedder: TOPIC_EMBEDDER, ranking: 'hybrid' }));
      const next = random(11);
      for (let i = 0; i < 40; i++) {
        const length = 1 + Math.floor(next() * 6);
        const words = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]!);
        await twin.add(userId, `${words.join(' ')} ${i % 10 === 0 ? 'order 4711' : ''}`, { group: i % 3 });
      }
      await twin.delete(5);
      // An updated text is embedded again: its new vector ranks, not the old one.
      await twin.update(6, { text: 'piano music in the garden' });
      await twin.update(7, { text: 'cats drink tea order 4711' });
      for (const query of ['tea', 'order 4711', 'piano music garden', 'drinks', 'cats and the river']) {
        const found = await twin.expectSameSearch(userId, query, { limit: 12 });
        expect(found.length).toBeGreaterThan(0);
        await twin.expectSameSearch(userId, query, { limit: 5, filters: { group: { in: [0, 2] } } });
        await twin.expectSameSearch(userId, query, { limit: 30, minRelevance: 0.6 });
      }
      // The exact number outranks memories that are merely similar.
      const [first] = await hybrid.search(userId, 'order 4711', { limit: 1 });
      expect(first!.memory).toContain('4711');

      const cosineTwin = new InMemoryTwin(embedding, new InMemoryProvider({ embedder: TOPIC_EMBEDDER, ranking: 'embedding' }));
      for (const { text } of [{ text: 'tea and coffee' }, { text: 'piano in berlin' }, { text: 'cats by the river' }, { text: 'order 4711 tea' }]) {
        await cosineTwin.add('cosine-user', text);
      }
      const [queryVector] = await TOPIC_EMBEDDER.embed(['order 4711 tea']);
      const found = await cosineTwin.expectSameSearch('cosine-user', 'order 4711 tea', { limit: 10 });
      const vectors = await TOPIC_EMBEDDER.embed((await embedding.search('cosine-user', 'order 4711 tea', { limit: 10 })).map((memory) => memory.memory));
      expect(found.map(({ score }) => score)).toEqual(vectors.map((vector) => roundScore(cosineRelevance(queryVector!, vector))));
      expect(found.map(({ score }) => score)).toEqual([...found.map(({ score }) => score)].sort((x, y) => y - x));
    } finally {
      await hybrid.close();
      await embedding.close();
    }
  });

  it('records the embedder\'s model with the vectors and refuses another model', async () => {
    const first = new LibsqlProvider({ url, tablePrefix: 'model_', embedder: { ...TOPIC_EMBEDDER, modelId: 'topics-v1' } });
    await first.add('model-user', note('tea with milk'));
    await first.close();
    const other = new LibsqlProvider({ url, tablePrefix: 'model_', embedder: { ...TOPIC_EMBEDDER, modelId: 'topics-v2' } });
    try {
      await expect(other.search('model-user', 'tea')).rejects.toMatchObject({ name: 'MemoryConfigurationError', option: 'embedder' });
      await expect(other.add('model-user', note('more tea'))).rejects.toBeInstanceOf(MemoryConfigurationError);
      expect((await other.getAll('model-user')).memories).toHaveLength(1);
    } finally {
      await other.close();
    }
    const same = new LibsqlProvider({ url, tablePrefix: 'model_', embedder: { ...TOPIC_EMBEDDER, modelId: 'topics-v1' } });
    expect((await same.search('model-user', 'tea')).map((memory) => memory.memory)).toEqual(['tea with milk']);
    await same.close();
  });

  it('keeps the statistics exact when adds of several users, repeated keys included, commit together', async () => {
    const users = ['group-a', 'group-b', 'group-c'];
    await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        provider.add(users[i % 3]!, note(`${WORDS[i % WORDS.length]} ${WORDS[(i * 5) % WORDS.length]} fact ${i % 7}`), undefined, {
          ...(i % 4 === 0 ? { idempotencyKey: `key-${i % 8}` } : {}),
        }),
      ),
    );
    const check = async (sql: string) => Number((await raw.execute({ sql, args: users })).rows[0]![0]);
    const inUsers = 'user_id IN (?, ?, ?)';
    // Every derived table agrees with what the memory rows say.
    expect(
      await check(`SELECT count(*) FROM memory_users u WHERE ${inUsers.replace('user_id', 'u.user_id')} AND (u.memory_count != (SELECT count(*) FROM memory_memories m WHERE m.user_id = u.user_id)
        OR u.term_count != (SELECT sum(term_count) FROM memory_memories m WHERE m.user_id = u.user_id))`),
    ).toBe(0);
    expect(
      await check(`SELECT count(*) FROM memory_term_stats s WHERE ${inUsers.replace('user_id', 's.user_id')}
        AND s.df != (SELECT count(*) FROM memory_postings p WHERE p.user_id = s.user_id AND p.term = s.term)`),
    ).toBe(0);
    expect(await check(`SELECT count(*) FROM memory_postings WHERE ${inUsers}`)).toBe(
      await check(`SELECT count(*) FROM memory_memories m, json_each(m.terms) WHERE ${inUsers.replace('user_id', 'm.user_id')}`),
    );
    // Adds with a key store once per (user, key).
    const keyed = Array.from({ length: 90 }, (_, i) => i).filter((i) => i % 4 === 0);
    const distinctKeys = new Set(keyed.map((i) => `${users[i % 3]}/key-${i % 8}`)).size;
    expect(await check(`SELECT count(*) FROM memory_memories WHERE ${inUsers}`)).toBe(90 - keyed.length + distinctKeys);
  });

  it('pages every filter operator as matchesFilter decides, on random data', async () => {
    const next = random(11);
    const userId = 'filter-user';
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
    const values = [0, 1, 2.5, -3, 'a', 'b', 'A', '', 'é', '😀', '\uD800', 'a\0b', true, false, null, [1, 'a'], ['b'], { nested: 1 }];
    for (let i = 0; i < 60; i++) {
      const metadata: Metadata = {};
      for (const key of ['x', 'y', 'tags', 'sessionId']) if (next() < 0.7) metadata[key] = pick(values);
      await provider.add(userId, note(`filtered memory ${i}`), metadata);
    }
    const everything = await allMemories(userId);
    const scalars = [0, 1, 2.5, -3, 'a', 'b', '', 'é', '😀', '\uD800', 'a\0b', true, null];
    const leaf = (): MemoryFilter => {
      const field = pick(['x', 'y', 'tags', 'sessionId', 'missing']);
      const operator = pick(['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains'] as const);
      if (operator === 'in' || operator === 'nin') return { [field]: { [operator]: [pick(scalars), pick(scalars)] } } as MemoryFilter;
      if (['gt', 'gte', 'lt', 'lte'].includes(operator)) return { [field]: { [operator]: pick([0, 1, -3, 'a', 'b']) } } as MemoryFilter;
      return { [field]: { [operator]: pick(scalars) } } as MemoryFilter;
    };
    let compared = 0;
    for (let round = 0; round < 120; round++) {
      const shape = next();
      const filter: MemoryFilter =
        shape < 0.5 ? leaf() : shape < 0.7 ? { AND: [leaf(), leaf()] } : shape < 0.9 ? { OR: [leaf(), leaf()] } : { NOT: leaf() };
      let node;
      try {
        node = parseMemoryFilter(filter);
      } catch {
        continue; // a filter the core rejects (e.g. contains null) is the validator's concern
      }
      const expected = everything.filter((memory) => matchesFilter(memory, node)).map((memory) => memory.id);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await provider.getAll(userId, { limit: 4, filters: filter, ...(cursor ? { cursor } : {}) });
        paged.push(...page.memories.map((memory) => memory.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(paged, JSON.stringify(filter)).toEqual(expected);
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  });

  it('reads a session through its index: one read however many other memories the user has', async () => {
    const userId = 'sessions';
    await checkSessionReads(provider, userId);
    // Both halves of the read go through an index of the session, not the user's timeline. (A
    // client of its own: the libsql client leaves an EXPLAIN's statement, and so its snapshot, open.)
    const inspector = createClient({ url });
    const plan = await inspector.execute({
      sql: `EXPLAIN QUERY PLAN SELECT seq FROM memory_memories WHERE user_id = ?1 AND json_extract(metadata, '$.sessionId') = ?2 AND seq < ?3
        UNION ALL SELECT seq FROM memory_memories WHERE user_id = ?1 AND json_type(metadata, '$.sessionId') = 'array' AND seq < ?3
        ORDER BY seq DESC LIMIT 10`,
      args: [userId, 'mine', Number.MAX_SAFE_INTEGER],
    });
    inspector.close();
    const details = plan.rows.map((row) => String(row[3]));
    expect(details.filter((detail) => /USING INDEX memory_memories_by_session/.test(detail))).toHaveLength(1);
    expect(details.filter((detail) => /USING INDEX memory_memories_session_lists/.test(detail))).toHaveLength(1);
    expect(details.some((detail) => /USING INDEX memory_memories_by_user\b/.test(detail))).toBe(false);
    await provider.deleteAll(userId);
  });

  it('forgets a user in one transaction, leaving no row of theirs in any table', async () => {
    const userId = "forget'me\"; DROP TABLE memory_memories; --";
    for (let i = 0; i < 5; i++) await provider.add(userId, note(`private fact ${i} about tea`), undefined, { idempotencyKey: `k${i}` });
    await provider.add('forget-neighbour', note('neighbour fact about tea'));
    expect((await rowsOfUser(userId)).memory_postings).toBeGreaterThan(0);
    expect(await provider.deleteAll(userId)).toBe(5);
    expect(await rowsOfUser(userId)).toEqual({ memory_memories: 0, memory_users: 0, memory_postings: 0, memory_term_stats: 0, memory_history: 0 });
    expect(await provider.search('forget-neighbour', 'tea')).toHaveLength(1);
    // Deleting the last memory one by one also leaves nothing behind.
    const id = await provider.add(userId, note('one more'));
    await provider.update(userId, id, { text: 'one more, changed' });
    await provider.delete(userId, id);
    // History alone remains (add, update, delete) until the user is forgotten.
    expect(await rowsOfUser(userId)).toEqual({ memory_memories: 0, memory_users: 0, memory_postings: 0, memory_term_stats: 0, memory_history: 3 });
    expect(await provider.deleteAll(userId)).toBe(0);
    expect((await rowsOfUser(userId)).memory_history).toBe(0);
  });

  it('stores an add repeated with the same idempotency key once, also when the repeats run at once', async () => {
    const userId = 'idempotent-user';
    const ids = await Promise.all(
      Array.from({ length: 5 }, () => provider.add(userId, note('pin is 1234'), undefined, { idempotencyKey: 'same' })),
    );
    expect(new Set(ids).size).toBe(1);
    expect(await rowsOfUser(userId)).toMatchObject({ memory_memories: 1, memory_users: 1 });
    const [stats] = (await raw.execute({ sql: 'SELECT memory_count FROM memory_users WHERE user_id = ?', args: [userId] })).rows;
    expect(Number(stats![0])).toBe(1);
    expect(await provider.search(userId, 'pin')).toHaveLength(1);
  });

  it('expires a session user\'s rows: never returned, then purged from every table', async () => {
    const sessionUrl = `file:${folder.file('ttl.db')}`;
    const session = new LibsqlProvider({ url: sessionUrl, ttlSeconds: 0.5 });
    const sessionRaw = createClient({ url: sessionUrl });
    try {
      const id = await session.add('ttl-a', note('short lived tea'));
      await session.update('ttl-a', id, { text: 'short lived green tea' });
      expect(await session.history('ttl-a', id)).toHaveLength(2);
      // A user whose last memory is deleted keeps its history only until the TTL.
      await session.delete('ttl-c', await session.add('ttl-c', note('deleted at once')));
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(await session.get('ttl-a', id)).toBeNull();
      expect(await session.search('ttl-a', 'tea')).toEqual([]);
      expect((await session.getAll('ttl-a')).memories).toEqual([]);
      expect(await session.history('ttl-a', id)).toEqual([]);
      // The next write sweeps expired users.
      await session.add('ttl-b', note('another user'));
      for (const table of ['memory_memories', 'memory_users', 'memory_postings', 'memory_term_stats', 'memory_history']) {
        const result = await sessionRaw.execute({ sql: `SELECT count(*) FROM ${table} WHERE user_id IN ('ttl-a', 'ttl-c')`, args: [] });
        expect(Number(result.rows[0]![0]), table).toBe(0);
      }
    } finally {
      await session.close();
      sessionRaw.close();
    }
  });

  it('re-indexes when the terms version recorded differs, never mixing versions', async () => {
    const reindexUrl = `file:${folder.file('reindex.db')}`;
    const first = new LibsqlProvider({ url: reindexUrl });
    await first.add('reindex-user', note('Owns two cats and a piano'));
    await first.close();
    const reindexRaw = createClient({ url: reindexUrl });
    await reindexRaw.batch([
      "UPDATE memory_meta SET value = 'an older pipeline' WHERE key = 'terms_version'",
      "UPDATE memory_postings SET term = 'stale-' || term",
      "UPDATE memory_term_stats SET term = 'stale-' || term",
    ]);
    const reopened = new LibsqlProvider({ url: reindexUrl });
    try {
      expect((await reopened.search('reindex-user', 'cat')).map((memory) => memory.memory)).toEqual(['Owns two cats and a piano']);
      const meta = await reindexRaw.execute("SELECT value FROM memory_meta WHERE key = 'terms_version'");
      expect(meta.rows[0]![0]).toBe(TERMS_VERSION);
      const stale = await reindexRaw.execute("SELECT count(*) FROM memory_postings WHERE term LIKE 'stale-%'");
      expect(Number(stale.rows[0]![0])).toBe(0);
    } finally {
      await reopened.close();
      reindexRaw.close();
    }
  });

  it('indexes supplied indexTerms and queries supplied queryTerms like the words they stand for, through a re-index', async () => {
    expect(provider.capabilities.suppliedTerms).toBe(true);
    const suppliedUrl = `file:${folder.file('supplied.db')}`;
    const opaque = (list: readonly string[]) => list.map((term) => `k.${[...term].reverse().join('')}`);
    const texts = ['Drinks green tea every morning', 'Tea tea and piano', 'Piano lessons on Sunday', 'A walk by the river', 'Green river tea'];
    const first = new LibsqlProvider({ url: suppliedUrl });
    const textOf = new Map<string, string>();
    for (const [i, text] of texts.entries()) {
      textOf.set(await first.add('words', note(text)), text);
      // The stored text is unrelated to its supplied terms: only they are indexed.
      textOf.set(await first.add('supplied', note(`sealed ${i}`), {}, { indexTerms: opaque(terms(text)) }), text);
    }
    const compare = async (store: LibsqlProvider, query: string) => {
      const expected = await store.search('words', query, { limit: 100 });
      expect(expected.length, query).toBeGreaterThan(1);
      const found = await store.search('supplied', 'unrelated', { limit: 100, queryTerms: opaque(terms(query)) });
      // Equal scores order by id, which differs between the two users: compare score per text.
      const byText = (list: Memory[]) => list.map((memory) => [textOf.get(memory.id)!, memory.score!] as const).sort();
      expect(byText(found)).toEqual(byText(expected));
      expect([...found].sort(compareRanked)).toEqual(found);
    };
    await compare(first, 'green tea piano');
    expect(await first.search('supplied', 'tea')).toEqual([]);
    await first.close();
    const suppliedRaw = createClient({ url: suppliedUrl });
    await suppliedRaw.execute("UPDATE memory_meta SET value = 'an older pipeline' WHERE key = 'terms_version'");
    suppliedRaw.close();
    const reopened = new LibsqlProvider({ url: suppliedUrl });
    try {
      await compare(reopened, 'green tea piano');
      await compare(reopened, 'river walk');
    } finally {
      await reopened.close();
    }
  });

  it('refuses tables made by a newer schema and a bad table prefix, and keeps the data', async () => {
    const newerUrl = `file:${folder.file('newer.db')}`;
    const first = new LibsqlProvider({ url: newerUrl });
    await first.add('u', note('kept'));
    await first.close();
    const newerRaw = createClient({ url: newerUrl });
    await newerRaw.execute("UPDATE memory_meta SET value = '99' WHERE key = 'schema_version'");
    const reopened = new LibsqlProvider({ url: newerUrl });
    await expect(reopened.getAll('u')).rejects.toSatisfy((error: unknown) => MemoryConfigurationError.isInstance(error));
    await reopened.close();
    expect(Number((await newerRaw.execute('SELECT count(*) FROM memory_memories')).rows[0]![0])).toBe(1);
    newerRaw.close();
    expect(() => new LibsqlProvider({ url, tablePrefix: 'x; DROP TABLE y' })).toThrow(MemoryConfigurationError);
    expect(() => new LibsqlProvider({ url: 'postgres://nope' })).toThrow(MemoryConfigurationError);
  });

  it('gives a store of the previous schema its session indexes at open, keeping its memories', async () => {
    const olderUrl = `file:${folder.file('schema-2.db')}`;
    const first = new LibsqlProvider({ url: olderUrl });
    const kept = await first.add('u', note('kept'), { sessionId: 's' });
    await first.close();
    // What schema 2 left: no session indexes, no history, no forget fence, its version recorded.
    const older = createClient({ url: olderUrl });
    await older.execute('DROP INDEX memory_memories_by_session');
    await older.execute('DROP INDEX memory_memories_session_lists');
    await older.execute('DROP TABLE memory_history');
    await older.execute('DROP TABLE memory_forgets');
    await older.execute('ALTER TABLE memory_memories DROP COLUMN updated_at');
    await older.execute("UPDATE memory_meta SET value = '2' WHERE key = 'schema_version'");
    older.close();
    const reopened = new LibsqlProvider({ url: olderUrl });
    expect((await reopened.getAll('u', { filters: { sessionId: 's' } })).memories.map((memory) => memory.id)).toEqual([kept]);
    await reopened.close();
    const check = createClient({ url: olderUrl });
    const indexes = (await check.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'memory_memories_%session%'")).rows.map((row) => String(row[0]));
    expect(indexes.sort()).toEqual(['memory_memories_by_session', 'memory_memories_session_lists']);
    expect((await check.execute("SELECT value FROM memory_meta WHERE key = 'schema_version'")).rows[0]![0]).toBe(String(SCHEMA_VERSION));
    check.close();
  });

  it('gives a store of schema 3 its history table at open: its memories then update, with history, and keep their times', async () => {
    const olderUrl = `file:${folder.file('schema-3.db')}`;
    const first = new LibsqlProvider({ url: olderUrl });
    const kept = await first.add('u', note('kept about tea'));
    const before = (await first.get('u', kept))!;
    await first.close();
    // What schema 3 left: no history table, no updated_at column, no forget fence, its version recorded.
    const older = createClient({ url: olderUrl });
    await older.execute('DROP TABLE memory_history');
    await older.execute('DROP TABLE memory_forgets');
    await older.execute('ALTER TABLE memory_memories DROP COLUMN updated_at');
    await older.execute("UPDATE memory_meta SET value = '3' WHERE key = 'schema_version'");
    older.close();
    const reopened = new LibsqlProvider({ url: olderUrl });
    expect(await reopened.get('u', kept)).toEqual(before);
    expect((await reopened.history('u', kept)).map((entry) => entry.event)).toEqual(['add']);
    const updated = await reopened.update('u', kept, { text: 'kept about coffee' });
    expect(updated.createdAt).toBe(before.createdAt);
    expect((await reopened.search('u', 'coffee')).map((memory) => memory.id)).toEqual([kept]);
    expect((await reopened.history('u', kept)).map((entry) => [entry.event, entry.previousText, entry.text])).toEqual([
      ['add', null, 'kept about tea'],
      ['update', 'kept about tea', 'kept about coffee'],
    ]);
    await reopened.close();
    const check = createClient({ url: olderUrl });
    expect((await check.execute("SELECT value FROM memory_meta WHERE key = 'schema_version'")).rows[0]![0]).toBe(String(SCHEMA_VERSION));
    check.close();
  });

  it('gives a store of schema 4 its forget fence at open, keeping its memories and their history', async () => {
    const olderUrl = `file:${folder.file('schema-4.db')}`;
    const first = new LibsqlProvider({ url: olderUrl });
    const kept = await first.add('u', note('kept about tea'));
    await first.update('u', kept, { text: 'kept about coffee' });
    await first.close();
    // What schema 4 left: history, no forgets table, its version recorded.
    const older = createClient({ url: olderUrl });
    await older.execute('DROP TABLE memory_forgets');
    await older.execute("UPDATE memory_meta SET value = '4' WHERE key = 'schema_version'");
    older.close();
    const reopened = new LibsqlProvider({ url: olderUrl });
    expect((await reopened.history('u', kept)).map((entry) => entry.event)).toEqual(['add', 'update']);
    const promisedBefore = Date.now() - 1000;
    expect(await reopened.deleteAll('u')).toBe(1);
    expect(await reopened.add('u', note('promised before the forget'), undefined, { promisedAt: promisedBefore })).toBe('');
    expect((await reopened.getAll('u')).memories).toEqual([]);
    await reopened.close();
    const check = createClient({ url: olderUrl });
    expect((await check.execute("SELECT value FROM memory_meta WHERE key = 'schema_version'")).rows[0]![0]).toBe(String(SCHEMA_VERSION));
    check.close();
  });

  it('times every version apart, to the millisecond, however fast the changes come', async () => {
    const userId = 'update-times';
    const id = await provider.add(userId, note('first text'));
    for (let i = 0; i < 5; i++) await provider.update(userId, id, { text: `text ${i}` });
    await provider.delete(userId, id);
    const times = (await provider.history(userId, id)).map((entry) => Date.parse(entry.at));
    expect(times).toHaveLength(7);
    for (let i = 1; i < times.length; i++) expect(times[i], `version ${i}`).toBeGreaterThan(times[i - 1]!);
    await provider.deleteAll(userId);
  });

  it('keeps tables apart by prefix and the file in WAL mode', async () => {
    const other = new LibsqlProvider({ url, tablePrefix: 'other_' });
    await other.add('prefix-user', note('only in the other tables'));
    expect(await provider.getAll('prefix-user')).toEqual({ memories: [], nextCursor: null });
    expect((await other.getAll('prefix-user')).memories).toHaveLength(1);
    await other.close();
    expect((await raw.execute('PRAGMA journal_mode')).rows[0]![0]).toBe('wal');
  });

  it('close checkpoints the WAL into the file: the database file alone then holds every memory', async () => {
    const file = folder.file('checkpointed.db');
    const closing = new LibsqlProvider({ url: `file:${file}` });
    for (let i = 0; i < 50; i++) await closing.add('checkpoint-user', note(`memory ${i} kept in the file`));
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(0);
    await closing.close();
    expect(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0).toBe(0);
    // A copy of the database file without its WAL is complete.
    copyFileSync(file, folder.file('copy.db'));
    const copy = new LibsqlProvider({ url: `file:${folder.file('copy.db')}` });
    try {
      expect((await copy.getAll('checkpoint-user', { limit: 100 })).memories).toHaveLength(50);
    } finally {
      await copy.close();
    }
  });

  it('ranks by the stored vectors when an embedder is configured', async () => {
    const semantic = new LibsqlProvider({ url, tablePrefix: 'semantic_', embedder: AXES_EMBEDDER });
    try {
      await expectCosineRanking(semantic, 'vector-user');
    } finally {
      await semantic.close();
    }
  });
});
