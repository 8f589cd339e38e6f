import {
  frameMemoryContext,
  injectMemory,
  MemoryConfigurationError,
  MemoryError,
  MemoryNotFoundError,
  MemoryValidationError,
  ProviderUnavailableError,
  UnsupportedFilterError,
  type FilterCapability,
  type Memory,
  type MemoryCapabilities,
  type MemoryFilter,
  type MemoryProvider,
  type Metadata,
  type SearchOptions,
} from '@fastagentic/memory';
import {
  compareRanked,
  FILTER_OPERATORS,
  MEMORY_LIMITS,
  memoryPageSchema,
  memorySchema,
} from '@fastagentic/memory/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { HOSTILE_USER_IDS, MALFORMED_USER_IDS } from './hostile-user-ids.js';

export interface TestMemoryProviderOptions {
  /** Shown in the suite title. */
  name: string;
  /**
   * Makes the provider under test. It must live in a namespace no other run shares (a fresh
   * key prefix, a fresh server): the suite uses fixed hostile user ids.
   */
  create: () => MemoryProvider | Promise<MemoryProvider>;
  /** Overrides what the provider declares, e.g. to switch off a group the backend cannot run here. */
  capabilities?: Partial<MemoryCapabilities>;
  /** Makes a provider whose memories expire after `ttlSeconds`; the TTL tests run only with it. */
  createWithTtl?: (ttlSeconds: number) => MemoryProvider | Promise<MemoryProvider>;
  /**
   * Makes a provider whose backend fails on every call (a stopped server, a closed port, a client
   * that throws). With it the suite checks that failures come out as the core's typed errors
   * (ProviderUnavailableError, MemoryConfigurationError), never as a raw client or driver error.
   * Keep its retries low (e.g. `retry: { maxRetries: 0 }`) so the test stays fast. `destroy` is
   * never called with it: a `destroy` that drops tables would drop the live ones mid-suite (the
   * broken provider often names the same tables). Close its client in `destroyBroken` instead.
   */
  createBroken?: () => MemoryProvider | Promise<MemoryProvider>;
  /** Called with the broken provider after its test, e.g. to close its client; must not touch data. */
  destroyBroken?: (provider: MemoryProvider) => void | Promise<void>;
  /** Called once after the suite, e.g. to close a client; only with providers `create` made. */
  destroy?: (provider: MemoryProvider) => void | Promise<void>;
  /** Longest wait for a write to become visible on an eventually consistent provider. Default 10 s. */
  eventualTimeoutMs?: number;
  /** Per-test timeout. Default 30 s. */
  testTimeoutMs?: number;
}

interface Seeded {
  userId: string;
  ids: Record<string, string>;
}

function expectValidationError(error: unknown, field: string): void {
  expect(MemoryValidationError.isInstance(error), `expected MemoryValidationError, got ${String(error)}`).toBe(true);
  expect((error as MemoryValidationError).field).toBe(field);
}

/** Every memory a provider returns must match the published schema (ISO times, JSON metadata, score in [0, 1]). */
function expectSchema(schema: typeof memorySchema | typeof memoryPageSchema, value: unknown): void {
  const result = schema.safeParse(value);
  expect(result.success, result.success ? '' : JSON.stringify(result.error.issues)).toBe(true);
}

async function captureError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

const FILTER_FIXTURES: Array<{ key: string; text: string; metadata: Metadata }> = [
  {
    key: 'tea',
    text: 'Prefers green tea in the morning',
    metadata: {
      category: 'preferences',
      priority: 1,
      tags: ['drink', 'morning'],
      source: 'chat',
      day: '2026-01-05',
      count: 9,
      code: '10',
    },
  },
  {
    key: 'berlin',
    text: 'Lives in Berlin near the river',
    metadata: {
      category: 'profile',
      priority: 5,
      tags: ['location'],
      source: 'import',
      day: '2026-03-10',
      count: 10,
      code: '9',
    },
  },
  {
    key: 'piano',
    text: 'Plays the piano on weekends',
    metadata: { category: 'hobbies', priority: 9, tags: ['music', 'weekend'], day: '2026-06-20', count: 100 },
  },
];

/** For each operator: a filter over the fixtures and the fixture keys it must select. */
const OPERATOR_CASES: Record<(typeof FILTER_OPERATORS)[number], { filter: MemoryFilter; expected: string[] }> = {
  eq: { filter: { category: { eq: 'profile' } }, expected: ['berlin'] },
  ne: { filter: { category: { ne: 'profile' } }, expected: ['tea', 'piano'] },
  in: { filter: { category: { in: ['preferences', 'hobbies'] } }, expected: ['tea', 'piano'] },
  nin: { filter: { category: { nin: ['preferences', 'hobbies'] } }, expected: ['berlin'] },
  gt: { filter: { priority: { gt: 1 } }, expected: ['berlin', 'piano'] },
  gte: { filter: { priority: { gte: 5 } }, expected: ['berlin', 'piano'] },
  lt: { filter: { priority: { lt: 5 } }, expected: ['tea'] },
  lte: { filter: { priority: { lte: 5 } }, expected: ['tea', 'berlin'] },
  contains: { filter: { tags: { contains: 'music' } }, expected: ['piano'] },
};

/**
 * The metadata fields the filter tests read. A provider that filters declared fields only (such
 * as an encrypting wrapper with `filterableFields`) lists these in its test setup.
 */
export const CONFORMANCE_FILTER_FIELDS: readonly string[] = [
  'category',
  'categories',
  'priority',
  'tags',
  'source',
  'day',
  'count',
  'code',
  'absent',
];

/**
 * Where providers go wrong: a missing field, an array-valued field, numbers next to numeric
 * strings. Semantics (those of `matchesFilter`): `ne`/`nin` hold when the field is missing;
 * equality on an array means "contains"; numbers compare with numbers and strings with strings.
 */
const EDGE_CASES: Array<{ title: string; needs: FilterCapability[]; filter: MemoryFilter; expected: string[] }> = [
  { title: 'ne holds when the field is missing', needs: ['ne'], filter: { source: { ne: 'chat' } }, expected: ['berlin', 'piano'] },
  {
    title: 'nin holds when the field is missing',
    needs: ['nin'],
    filter: { source: { nin: ['chat', 'web'] } },
    expected: ['berlin', 'piano'],
  },
  { title: 'ne on a field no memory has selects every memory', needs: ['ne'], filter: { absent: { ne: 'x' } }, expected: ['tea', 'berlin', 'piano'] },
  { title: 'eq on a field no memory has selects none', needs: ['eq'], filter: { absent: { eq: 'x' } }, expected: [] },
  { title: 'NOT of an equality holds when the field is missing', needs: ['not', 'eq'], filter: { NOT: { code: '10' } }, expected: ['berlin', 'piano'] },
  { title: 'gt compares numbers as numbers (10 > 9)', needs: ['gt'], filter: { count: { gt: 9 } }, expected: ['berlin', 'piano'] },
  { title: 'lt compares numbers as numbers (9 < 10)', needs: ['lt'], filter: { count: { lt: 10 } }, expected: ['tea'] },
  { title: 'gte/lte compare numbers as numbers', needs: ['gte', 'lte'], filter: { count: { gte: 10, lte: 100 } }, expected: ['berlin', 'piano'] },
  { title: 'a range over numbers never matches strings', needs: ['gt'], filter: { code: { gt: 5 } }, expected: [] },
  { title: 'a number equals the same number', needs: ['eq'], filter: { count: 10 }, expected: ['berlin'] },
  { title: 'a numeric string never equals a number', needs: ['eq'], filter: { count: '10' }, expected: [] },
  { title: 'a string equals the same string', needs: ['eq'], filter: { code: { eq: '10' } }, expected: ['tea'] },
  { title: 'a number never equals a numeric string', needs: ['eq'], filter: { code: { eq: 10 } }, expected: [] },
  { title: 'in keeps numbers and numeric strings apart', needs: ['in'], filter: { count: { in: ['9', 10] } }, expected: ['berlin'] },
  { title: 'equality on an array field means contains (shorthand)', needs: ['eq'], filter: { tags: 'music' }, expected: ['piano'] },
  { title: 'equality on an array field means contains (eq)', needs: ['eq'], filter: { tags: { eq: 'morning' } }, expected: ['tea'] },
  { title: 'ne on an array field means does not contain', needs: ['ne'], filter: { tags: { ne: 'music' } }, expected: ['tea', 'berlin'] },
  {
    title: 'in on an array field means contains one of',
    needs: ['in'],
    filter: { tags: { in: ['location', 'weekend'] } },
    expected: ['berlin', 'piano'],
  },
  { title: 'nin on an array field means contains none of', needs: ['nin'], filter: { tags: { nin: ['music', 'drink'] } }, expected: ['berlin'] },
];

/**
 * User ids a careless store folds together: case, surrounding spaces, Unicode normalization
 * forms (NFC "é" and NFD "e" + combining acute) and zero-width characters. Each is its own user.
 */
function lookAlikeUserIds(runId: string): string[][] {
  return [
    [`Case-${runId}`, `case-${runId}`, `CASE-${runId.toUpperCase()}`],
    [`pad-${runId}`, ` pad-${runId}`, `pad-${runId} `, `\tpad-${runId}`],
    [`caf\u00e9-${runId}`, `cafe\u0301-${runId}`],
    [`zw-${runId}`, `z\u200bw-${runId}`, `zw-${runId}\u200d`, `\ufeffzw-${runId}`],
  ];
}

/** What decides a memory's rank, shown when an order check fails. */
function describeRanked(memory: Memory): string {
  return `{ score: ${memory.score}, createdAt: ${memory.createdAt}, id: ${memory.id} }`;
}

/** A search may return fewer of the expected memories, never another: says which extra came back. */
function expectSelectedFrom(selected: string[], expected: string[]): void {
  const extra = selected.filter((key) => !expected.includes(key));
  expect(extra, `search selected [${selected.join(', ')}] but must select only from [${expected.join(', ')}]`).toEqual([]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const LOGICAL_CASES: Array<{ capability: 'and' | 'or' | 'not'; filter: MemoryFilter; expected: string[] }> = [
  { capability: 'and', filter: { AND: [{ category: 'preferences' }, { source: 'chat' }] }, expected: ['tea'] },
  { capability: 'or', filter: { OR: [{ category: 'profile' }, { category: 'hobbies' }] }, expected: ['berlin', 'piano'] },
  { capability: 'not', filter: { NOT: { category: 'profile' } }, expected: ['tea', 'piano'] },
];

/**
 * The conformance suite. A provider's whole test is one call:
 * `testMemoryProvider({ name: 'redis', create: () => new RedisProvider(...) })`.
 * Tests a capability turns off are reported as skipped, with the capability in their title.
 */
export function testMemoryProvider(options: TestMemoryProviderOptions): void {
  const runId = Math.random().toString(36).slice(2, 10);
  let counter = 0;
  const freshUser = (label: string) => `conformance-${runId}-${label}-${++counter}`;
  const touchedUsers = new Set<string>();
  const timeout = options.testTimeoutMs ?? 30_000;
  let provider!: MemoryProvider;
  /** Further providers `create` made, torn down with the first. */
  const extraProviders: MemoryProvider[] = [];
  let caps!: MemoryCapabilities;

  // Capabilities are needed while tests are declared, before `create` runs: read them lazily
  // where a test decides at run time, and take declared overrides for the skip decisions.
  const declared = options.capabilities ?? {};
  const supportsFilter = (capability: FilterCapability) =>
    (declared.filters ?? caps?.filters ?? []).includes(capability);

  const user = (label: string) => {
    const id = freshUser(label);
    touchedUsers.add(id);
    return id;
  };
  const isEventual = () => caps.consistency === 'eventual';
  const waitFor = <T>(assertion: () => Promise<T>): Promise<T> =>
    isEventual() ? eventually(assertion, { timeoutMs: options.eventualTimeoutMs ?? 10_000 }) : assertion();

  async function addAndSettle(userId: string, text: string, metadata?: Metadata): Promise<Memory> {
    touchedUsers.add(userId);
    const before = new Set((await listAll(userId)).map((memory) => memory.id));
    const result = await provider.add(userId, [{ role: 'user', content: text }], metadata);
    expect(typeof result).toBe('string');
    expect(result.length).toBeGreaterThan(0);
    return waitFor(async () => {
      const added = (await listAll(userId)).filter((memory) => !before.has(memory.id));
      expect(added.length).toBeGreaterThan(0);
      if (caps.addResult === 'memory-id') expect(added.map((memory) => memory.id)).toContain(result);
      return added.find((memory) => memory.id === result) ?? added[0]!;
    });
  }

  async function listAll(userId: string): Promise<Memory[]> {
    const all: Memory[] = [];
    let cursor: string | undefined;
    do {
      const page = await provider.getAll(userId, cursor === undefined ? { limit: 100 } : { limit: 100, cursor });
      expectSchema(memoryPageSchema, page);
      all.push(...page.memories);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return all;
  }

  async function seedFixtures(label: string): Promise<Seeded> {
    const userId = user(label);
    const ids: Record<string, string> = {};
    for (const fixture of FILTER_FIXTURES) ids[fixture.key] = (await addAndSettle(userId, fixture.text, fixture.metadata)).id;
    return { userId, ids };
  }

  /**
   * Every search in the suite goes through here: each result is the user's, matches the schema,
   * scores in [0, 1] whatever the provider declares, and the order is the spec's (`compareRanked`:
   * score descending; equal scores newest first, then id ascending).
   */
  async function search(userId: string, query: string, searchOptions?: SearchOptions): Promise<Memory[]> {
    const found = await provider.search(userId, query, searchOptions);
    for (const result of found) {
      expectSchema(memorySchema, result);
      expect(result.userId).toBe(userId);
      expect(typeof result.score).toBe('number');
      expect(result.score!, `score of ${result.id}`).toBeGreaterThanOrEqual(0);
      expect(result.score!, `score of ${result.id}`).toBeLessThanOrEqual(1);
    }
    for (let i = 1; i < found.length; i++) {
      expect(
        compareRanked(found[i - 1]!, found[i]!),
        `search order at position ${i}: ${describeRanked(found[i - 1]!)} came before ${describeRanked(found[i]!)}`,
      ).toBeLessThanOrEqual(0);
    }
    return found;
  }

  const keysOf = (seeded: Seeded, memories: Memory[]) =>
    memories.map((memory) => Object.keys(seeded.ids).find((key) => seeded.ids[key] === memory.id) ?? memory.id).sort();

  describe(`${options.name}: MemoryProvider conformance`, { timeout }, () => {
    beforeAll(async () => {
      provider = await options.create();
      caps = { ...provider.capabilities, ...declared };
    });

    afterAll(async () => {
      if (!provider) return;
      for (const userId of touchedUsers) await provider.deleteAll(userId).catch(() => undefined);
      for (const extra of extraProviders) await options.destroy?.(extra);
      await options.destroy?.(provider);
    });

    describe('specification', () => {
      it('declares version v1, a provider name and its capabilities', () => {
        expect(provider.specificationVersion).toBe('v1');
        expect(typeof provider.provider).toBe('string');
        expect(provider.provider.length).toBeGreaterThan(0);
        expect(typeof caps.semanticSearch).toBe('boolean');
        expect(typeof caps.ttl).toBe('boolean');
        expect(['strong', 'eventual']).toContain(caps.consistency);
        expect(['memory-id', 'event-id']).toContain(caps.addResult);
        expect(['verbatim', 'extracted']).toContain(caps.storage);
        for (const capability of caps.filters) {
          expect([...FILTER_OPERATORS, 'and', 'or', 'not']).toContain(capability);
        }
      });
    });

    describe('round trips', () => {
      it('add then get returns the memory with its metadata', async () => {
        const userId = user('roundtrip');
        const metadata = { category: 'preferences', score: 3, nested: { ok: true, list: [1, 'two', null] } };
        const added = await addAndSettle(userId, 'Favourite colour is ultramarine blue', metadata);
        const memory = await provider.get(userId, added.id);
        expect(memory).not.toBeNull();
        expectSchema(memorySchema, memory);
        expect(memory!.id).toBe(added.id);
        expect(memory!.userId).toBe(userId);
        expect(memory!.memory.toLowerCase()).toContain('ultramarine');
        expect(memory!.metadata).toMatchObject(metadata);
        expect(Number.isNaN(Date.parse(memory!.createdAt))).toBe(false);
        expect(Number.isNaN(Date.parse(memory!.updatedAt))).toBe(false);
        expect(memory!.score).toBeUndefined();
        if (memory!.categories !== undefined) {
          expect(memory!.categories.every((category) => typeof category === 'string')).toBe(true);
        }
      });

      it.runIf(!declared.storage || declared.storage === 'verbatim')(
        'add stores the message content verbatim (capability: storage=verbatim)',
        async (ctx) => {
          if (caps.storage !== 'verbatim') return ctx.skip('capability storage=verbatim is not declared');
          const userId = user('verbatim');
          const added = await addAndSettle(userId, 'Exact words: Ünïcødé ✓ "quotes" \\ back\\slash');
          expect(added.memory).toBe('Exact words: Ünïcødé ✓ "quotes" \\ back\\slash');
          const conversation = await provider.add(userId, [
            { role: 'user', content: 'I moved to Lisbon' },
            { role: 'assistant', content: 'Noted, Lisbon it is' },
          ]);
          await waitFor(async () => {
            const all = await listAll(userId);
            expect(all.some((memory) => memory.memory.includes('Lisbon'))).toBe(true);
          });
          expect(typeof conversation).toBe('string');
        },
      );

      it('get returns null for an unknown id', async () => {
        const userId = user('unknown');
        await addAndSettle(userId, 'Something to make the user exist');
        expect(await provider.get(userId, `missing-${runId}`)).toBeNull();
        expect(await provider.get(user('nobody'), `missing-${runId}`)).toBeNull();
      });

      it('getAll returns every memory newest first, paging with a cursor', async () => {
        const userId = user('paging');
        const added: Memory[] = [];
        for (let i = 0; i < 5; i++) {
          added.push(await addAndSettle(userId, `Paging fact number ${i} about item${i}`));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const seen: Memory[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await provider.getAll(userId, cursor === undefined ? { limit: 2 } : { limit: 2, cursor });
          expect(page.memories.length).toBeLessThanOrEqual(2);
          seen.push(...page.memories);
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor !== undefined && pages < 10);
        expect(seen.map((memory) => memory.id).sort()).toEqual(added.map((memory) => memory.id).sort());
        expect(new Set(seen.map((memory) => memory.id)).size).toBe(seen.length);
        expect(pages).toBe(3);
        const created = seen.map((memory) => Date.parse(memory.createdAt));
        for (let i = 1; i < created.length; i++) expect(created[i - 1]!).toBeGreaterThanOrEqual(created[i]!);
      });

      it('getAll of a user with no memories is an empty last page', async () => {
        expect(await provider.getAll(user('empty'))).toEqual({ memories: [], nextCursor: null });
      });

      it('search ranks the matching memory first with a score in [0, 1]', async () => {
        const userId = user('search');
        await addAndSettle(userId, 'Allergic to peanuts and shellfish');
        await addAndSettle(userId, 'Works as a structural engineer');
        await addAndSettle(userId, 'Drives an old red bicycle to work');
        const results = await waitFor(async () => {
          const found = await search(userId, 'peanuts allergy');
          expect(found.length).toBeGreaterThan(0);
          expect(found[0]!.memory.toLowerCase()).toContain('peanut');
          return found;
        });
        // `search` checked every result's schema, score bound and order.
        expect(results[0]!.score!).toBeGreaterThan(0);
      });

      it('search honours limit and minRelevance', async () => {
        const userId = user('limits');
        for (let i = 0; i < 4; i++) await addAndSettle(userId, `Owns a cat called Whisker${i}`);
        await waitFor(async () => {
          expect((await search(userId, 'cat', { limit: 2 })).length).toBe(2);
        });
        // minRelevance keeps exactly the results of the unfiltered search that reach it.
        const everything = await search(userId, 'cat', { limit: 10 });
        expect(everything.length).toBeGreaterThan(0);
        const strict = await search(userId, 'cat', { minRelevance: 0.5, limit: 10 });
        expect(strict.map((memory) => memory.id)).toEqual(
          everything.filter((memory) => memory.score! >= 0.5).map((memory) => memory.id),
        );
        const perfect = await search(userId, 'cat', { minRelevance: 1, limit: 1 });
        expect(perfect.map((memory) => memory.id)).toEqual(
          everything.filter((memory) => memory.score === 1).slice(0, 1).map((memory) => memory.id),
        );
      });

      it.runIf(declared.semanticSearch !== true)(
        'a weak match scores low, even when it is the best there is (capability: semanticSearch=false)',
        async (ctx) => {
          if (caps.semanticSearch) return ctx.skip('capability semanticSearch=false is not declared');
          const userId = user('weak');
          await addAndSettle(userId, 'Enjoys hiking in the Alps');
          const results = await waitFor(async () => {
            const found = await search(userId, 'hiking shoes budget warranty store');
            expect(found.length).toBeGreaterThan(0);
            return found;
          });
          expect(results[0]!.score!).toBeLessThan(0.5);
          expect(await search(userId, 'hiking shoes budget warranty store', { minRelevance: 0.5 })).toEqual([]);
          expect(await search(userId, 'quantum chromodynamics')).toEqual([]);
        },
      );

      it.runIf(!declared.storage || declared.storage === 'verbatim')(
        'equal scores rank newest first, then by id ascending (capability: storage=verbatim)',
        async (ctx) => {
          if (caps.storage !== 'verbatim') return ctx.skip('capability storage=verbatim is not declared');
          const userId = user('ties');
          const text = 'Tie marker kumquat orchard';
          const sequential: Memory[] = [];
          for (let i = 0; i < 3; i++) {
            sequential.push(await addAndSettle(userId, text));
            await sleep(5);
          }
          // Added at once, these likely share a creation time, so the id decides between them.
          await Promise.all([0, 1, 2].map(() => provider.add(userId, [{ role: 'user', content: text }])));
          const found = await waitFor(async () => {
            const all = await search(userId, 'kumquat orchard', { limit: 10 });
            expect(all.length).toBe(6);
            return all;
          });
          expect(new Set(found.map((memory) => memory.score)).size, 'identical texts score alike').toBe(1);
          expect(found.map(describeRanked), 'equal scores: newest first, then id ascending').toEqual(
            [...found].sort(compareRanked).map(describeRanked),
          );
          // A store keeping whole seconds would tie these (5 ms apart) and let the id decide.
          for (let i = 1; i < sequential.length; i++) {
            expect(
              Date.parse(sequential[i]!.createdAt),
              `createdAt keeps sub-second time: ${describeRanked(sequential[i]!)} was added after ${describeRanked(sequential[i - 1]!)}`,
            ).toBeGreaterThan(Date.parse(sequential[i - 1]!.createdAt));
          }
          const sequentialIds = sequential.map((memory) => memory.id);
          expect(
            found.map((memory) => memory.id).filter((id) => sequentialIds.includes(id)),
            `equal scores: the later of memories added one after another comes first; came back ${found.map(describeRanked).join(', ')}`,
          ).toEqual([...sequentialIds].reverse());
        },
      );

      it.runIf(declared.idempotentAdd !== false)(
        'a repeated idempotency key stores once, per user (capability: idempotentAdd)',
        async (ctx) => {
          if (!caps.idempotentAdd) return ctx.skip('capability idempotentAdd is not declared');
          const userId = user('idempotent');
          const other = user('idempotent-other');
          const key = `key-${runId}`;
          const fact = (content: string) => [{ role: 'user' as const, content }];
          const first = await provider.add(userId, fact('Idempotent quince fact'), undefined, { idempotencyKey: key });
          const again = await provider.add(userId, fact('Idempotent quince fact'), undefined, { idempotencyKey: key });
          expect(again).toBe(first);
          const racing = await Promise.all(
            [0, 1, 2].map(() => provider.add(userId, fact('Racing quince fact'), undefined, { idempotencyKey: `${key}-race` })),
          );
          expect(new Set(racing).size).toBe(1);
          const theirs = await provider.add(other, fact('Idempotent quince fact'), undefined, { idempotencyKey: key });
          expect(theirs).not.toBe(first);
          await provider.add(userId, fact('Another quince fact'), undefined, { idempotencyKey: `${key}-other` });
          await waitFor(async () => {
            expect((await listAll(userId)).length).toBe(3);
            expect((await listAll(other)).length).toBe(1);
          });
        },
      );

      it.runIf(declared.forgetFence !== false)(
        'a write promised before the user was forgotten is not stored, one promised after is (capability: forgetFence)',
        async (ctx) => {
          if (!caps.forgetFence) return ctx.skip('capability forgetFence is not declared');
          const userId = user('fence');
          const other = user('fence-other');
          const fact = (content: string) => [{ role: 'user' as const, content }];
          const promisedBefore = Date.now();
          await provider.add(userId, fact('Fenced quince fact before'), undefined, { idempotencyKey: `fence-${runId}-0`, promisedAt: promisedBefore });
          await provider.add(other, fact('Unfenced quince fact'), undefined, { promisedAt: promisedBefore });
          // Ordering only: the forget comes in a later millisecond than the promise.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await provider.deleteAll(userId);
          // The queued write, retried (or replayed by another replica) after the forget, with the time it was promised.
          await provider.add(userId, fact('Fenced quince fact late'), undefined, { idempotencyKey: `fence-${runId}-1`, promisedAt: promisedBefore });
          await provider.add(userId, fact('Fenced quince fact late'), undefined, { promisedAt: promisedBefore });
          // Another user is not fenced.
          await provider.add(other, fact('Unfenced quince fact later'), undefined, { promisedAt: promisedBefore });
          // A new promise, after the forget (a later millisecond), is stored.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await provider.add(userId, fact('Quince fact after the forget'), undefined, { promisedAt: Date.now() });
          await waitFor(async () => {
            expect((await listAll(userId)).map((memory) => memory.memory)).toEqual([expect.stringContaining('Quince fact after the forget')]);
            expect((await listAll(other)).length).toBe(2);
          });
          await expect(provider.add(userId, fact('x'), undefined, { promisedAt: -1 })).rejects.toMatchObject({ field: 'options.promisedAt' });
        },
      );

      it.runIf(declared.suppliedTerms !== false && declared.semanticSearch !== true)(
        'supplied indexTerms and queryTerms replace the terms of the text, per user (capability: suppliedTerms)',
        async (ctx) => {
          if (!caps.suppliedTerms) return ctx.skip('capability suppliedTerms is not declared');
          // With an embedder the query text's vector ranks too, so only lexical search is checked here.
          if (caps.semanticSearch) return ctx.skip('capability semanticSearch: the ranking is not lexical alone');
          const userId = user('supplied');
          const other = user('supplied-other');
          const fact = (content: string) => [{ role: 'user' as const, content }];
          const tea = await provider.add(userId, fact('Sealed record one'), undefined, { indexTerms: ['t.tea', 't.green', 't.tea'] });
          const piano = await provider.add(userId, fact('Sealed record two'), undefined, { indexTerms: ['t.piano', 't.lessons'] });
          const theirs = await provider.add(other, fact('Sealed record three'), undefined, { indexTerms: ['t.tea'] });
          const found = await waitFor(async () => {
            const hits = await search(userId, 'unrelated words', { queryTerms: ['t.tea'] });
            expect(hits.map((memory) => memory.id)).toEqual([tea]);
            return hits;
          });
          expect(found[0]!.score).toBeGreaterThan(0);
          const both = await search(userId, 'unrelated words', { queryTerms: ['t.piano', 't.tea', 't.piano'], limit: 10 });
          expect(both.map((memory) => memory.id).sort()).toEqual([tea, piano].sort());
          expect(both.map((memory) => memory.id)).not.toContain(theirs);
          // Only the supplied terms were indexed, not the words of the stored text.
          expect(await search(userId, 'sealed record')).toEqual([]);
        },
      );

      it.runIf(declared.idempotentAdd !== false)(
        'idempotency keys that differ by case or a trailing space stay distinct (capability: idempotentAdd)',
        async (ctx) => {
          if (!caps.idempotentAdd) return ctx.skip('capability idempotentAdd is not declared');
          const userId = user('idempotent-keys');
          // A case-insensitive or space-padding collation on the key column folds these together.
          const keys = [`Key-${runId}`, `key-${runId}`, `key-${runId} `];
          const ids: string[] = [];
          for (const [index, idempotencyKey] of keys.entries()) {
            ids.push(await provider.add(userId, [{ role: 'user', content: `Keyed fig fact ${index}` }], undefined, { idempotencyKey }));
          }
          expect(new Set(ids).size, `keys ${JSON.stringify(keys)} returned ids ${JSON.stringify(ids)}`).toBe(keys.length);
          await waitFor(async () => expect((await listAll(userId)).length).toBe(keys.length));
        },
      );

      it.runIf(!declared.storage || declared.storage === 'verbatim')(
        'content at the size limit in multi-byte, emoji and astral characters round-trips exactly (capability: storage=verbatim)',
        async (ctx) => {
          if (caps.storage !== 'verbatim') return ctx.skip('capability storage=verbatim is not declared');
          const userId = user('size-limit');
          // Limits count UTF-16 code units: astral characters take two, and three or four bytes in UTF-8.
          const characters = [...'é 中文 😀 𝄞 👩‍👩‍👧 ﷽ '];
          const contentOf = (length: number) => {
            let content = '';
            for (let i = 0; content.length + 2 <= length; i++) content += characters[i % characters.length];
            return content.padEnd(length, 'Z');
          };
          let content = contentOf(MEMORY_LIMITS.maxContentLength);
          const added = await addAndSettle(userId, content).catch((error: unknown) => {
            // A wrapper whose stored form is larger (an encrypting one) refuses by name, never truncates;
            // the same characters must then round-trip at a size it takes.
            expectValidationError(error, 'messages');
            content = contentOf(MEMORY_LIMITS.maxContentLength / 4);
            return addAndSettle(userId, content);
          });
          const stored = await provider.get(userId, added.id);
          expect(stored?.memory.length, 'length of the stored content').toBe(content.length);
          expect(stored?.memory === content, 'the stored content equals the added content').toBe(true);
        },
      );

      it('a single very long word is stored and the memory is found by search', async () => {
        const userId = user('long-word');
        // A store that indexes each term in a B-tree refuses a term this long ("index row size exceeds").
        const content = `Longword marker ${'w'.repeat(8_000)}`;
        const added = await addAndSettle(userId, content);
        expect((await provider.get(userId, added.id))?.memory.length, 'length of the stored content').toBe(content.length);
        await waitFor(async () => {
          expect((await search(userId, 'longword marker')).map((memory) => memory.id)).toEqual([added.id]);
        });
      });

      it('delete removes one memory and a second delete throws MemoryNotFoundError', async () => {
        const userId = user('delete');
        const keep = await addAndSettle(userId, 'Keep this memory about sailing');
        const drop = await addAndSettle(userId, 'Drop this memory about skiing');
        await provider.delete(userId, drop.id);
        await waitFor(async () => {
          expect(await provider.get(userId, drop.id)).toBeNull();
          expect((await listAll(userId)).map((memory) => memory.id)).toEqual([keep.id]);
        });
        const error = await captureError(() => provider.delete(userId, drop.id));
        expect(MemoryNotFoundError.isInstance(error)).toBe(true);
        expect((error as MemoryNotFoundError).memoryId).toBe(drop.id);
        expect(await provider.get(userId, keep.id)).not.toBeNull();
      });

      it('deleteAll removes every memory of the user and returns the count', async () => {
        const userId = user('forget');
        for (let i = 0; i < 3; i++) await addAndSettle(userId, `Forgettable fact ${i} about gardening`);
        const deleted = await provider.deleteAll(userId);
        if (caps.storage === 'verbatim') expect(deleted).toBe(3);
        else expect(deleted).toBeGreaterThanOrEqual(1);
        await waitFor(async () => {
          expect(await listAll(userId)).toEqual([]);
          expect(await search(userId, 'gardening')).toEqual([]);
        });
        expect(await provider.deleteAll(userId)).toBe(0);
      });

      it('nothing acknowledged is lost: concurrent adds are all stored', async () => {
        const userId = user('concurrent');
        const texts = Array.from({ length: 12 }, (_, i) => `Concurrent note ${i} mentions token${i}x`);
        const results = await Promise.all(texts.map((content) => provider.add(userId, [{ role: 'user', content }])));
        expect(new Set(results).size).toBe(texts.length);
        await waitFor(async () => {
          const all = await listAll(userId);
          for (let i = 0; i < texts.length; i++) {
            expect(all.some((memory) => memory.memory.includes(`token${i}x`))).toBe(true);
          }
        });
      });

      it('a signal that is already aborted rejects the call', async () => {
        const userId = user('abort');
        const controller = new AbortController();
        controller.abort(new Error('stop'));
        await expect(search(userId, 'anything', { signal: controller.signal })).rejects.toThrow();
        await expect(
          provider.add(userId, [{ role: 'user', content: 'never stored' }], undefined, { signal: controller.signal }),
        ).rejects.toThrow();
        expect(await listAll(userId)).toEqual([]);
      });
    });

    describe('index consistency', () => {
      const texts = [
        'Orchard note apple pear plum',
        'Orchard note apple cherry',
        'Orchard note quince medlar',
        'Orchard note apple apple fig',
        'Orchard note walnut hazel',
      ];
      const query = 'orchard apple plum fig';
      const scoresByText = (found: Memory[]) =>
        Object.fromEntries(found.map((memory) => [memory.memory, Number(memory.score!.toFixed(6))]));

      /** The scores a store that only ever held `remaining` gives: a provider of its own, a fresh user. */
      async function freshScores(remaining: string[]): Promise<Record<string, number>> {
        const fresh = await options.create();
        extraProviders.push(fresh);
        const userId = user('index-fresh');
        for (const text of remaining) await fresh.add(userId, [{ role: 'user', content: text }]);
        return waitFor(async () => {
          const found = await fresh.search(userId, query, { limit: 10 });
          expect(found.length).toBe(remaining.length);
          return scoresByText(found);
        });
      }

      it.runIf((!declared.storage || declared.storage === 'verbatim') && declared.semanticSearch !== true)(
        'after delete and deleteAll the remaining memories score as in a fresh store, and nothing deleted is found (capabilities: storage=verbatim, semanticSearch=false)',
        async (ctx) => {
          if (caps.storage !== 'verbatim') return ctx.skip('capability storage=verbatim is not declared');
          if (caps.semanticSearch) return ctx.skip('capability semanticSearch=false is not declared: scores are not lexical alone');
          const userId = user('index-delete');
          const added: Memory[] = [];
          for (const text of texts) added.push(await addAndSettle(userId, text));
          await provider.delete(userId, added[0]!.id);
          await provider.delete(userId, added[3]!.id);
          const remaining = [texts[1]!, texts[2]!, texts[4]!];
          const expected = await freshScores(remaining);
          await waitFor(async () => {
            expect(scoresByText(await search(userId, query, { limit: 10 })), 'scores after delete').toEqual(expected);
            for (const term of ['pear', 'plum', 'fig']) {
              expect(await search(userId, term), `a deleted memory found by "${term}"`).toEqual([]);
            }
          });

          const forgotten = user('index-forget');
          for (const text of texts) await addAndSettle(forgotten, text);
          await provider.deleteAll(forgotten);
          for (const text of remaining) await addAndSettle(forgotten, text);
          await waitFor(async () => {
            expect(scoresByText(await search(forgotten, query, { limit: 10 })), 'scores after deleteAll').toEqual(expected);
            for (const term of ['pear', 'plum', 'fig']) {
              expect(await search(forgotten, term), `a forgotten memory found by "${term}"`).toEqual([]);
            }
          });
        },
      );
    });

    describe('update and history', () => {
      it('update changes text and metadata in place: same id and createdAt, a later updatedAt, indexed again (capability: update)', async (ctx) => {
        if (!caps.update || !provider.update) return ctx.skip('capability update is not declared');
        const userId = user('update');
        const before = await addAndSettle(userId, 'My home town is Lisbon by the sea', { category: 'home', version: 1 });
        const updated = await provider.update(userId, before.id, {
          text: 'My home town is Trondheim by the fjord',
          metadata: { category: 'profile', version: 2 },
        });
        expectSchema(memorySchema, updated);
        expect(updated.id).toBe(before.id);
        expect(updated.userId).toBe(userId);
        expect(updated.memory).toBe('My home town is Trondheim by the fjord');
        expect(updated.metadata).toEqual({ category: 'profile', version: 2 });
        expect(updated.createdAt).toBe(before.createdAt);
        expect(Date.parse(updated.updatedAt), 'updatedAt after the update').toBeGreaterThan(Date.parse(before.updatedAt));
        await waitFor(async () => {
          const stored = await provider.get(userId, before.id);
          expect(stored?.memory).toBe(updated.memory);
          expect(stored?.metadata).toEqual(updated.metadata);
          expect((await listAll(userId)).map((memory) => memory.id), 'an update adds no copy').toEqual([before.id]);
          expect((await search(userId, 'Trondheim fjord')).map((memory) => memory.id), 'found by its new words').toEqual([before.id]);
          expect(await search(userId, 'Lisbon sea'), 'not found by its old words').toEqual([]);
          expect((await provider.getAll(userId, { filters: { category: 'profile' } })).memories.map((memory) => memory.id)).toEqual([before.id]);
          expect((await provider.getAll(userId, { filters: { category: 'home' } })).memories).toEqual([]);
        });
        const metadataOnly = await provider.update(userId, before.id, { metadata: { category: 'profile', version: 3 } });
        expect(metadataOnly.memory, 'a metadata-only update keeps the text').toBe(updated.memory);
        expect(metadataOnly.metadata).toEqual({ category: 'profile', version: 3 });
      });

      it.runIf(declared.suppliedTerms !== false && declared.semanticSearch !== true)(
        'update indexes the new text by the indexTerms supplied with it, or by its own words (capabilities: update, suppliedTerms)',
        async (ctx) => {
          if (!caps.update || !provider.update) return ctx.skip('capability update is not declared');
          if (!caps.suppliedTerms) return ctx.skip('capability suppliedTerms is not declared');
          if (caps.semanticSearch) return ctx.skip('capability semanticSearch: the ranking is not lexical alone');
          const userId = user('update-supplied');
          const sealed = await provider.add(userId, [{ role: 'user', content: 'Sealed record one' }], undefined, { indexTerms: ['t.tea'] });
          await provider.update(userId, sealed, { text: 'Sealed record two' }, { indexTerms: ['t.piano', 't.piano'] });
          await waitFor(async () => {
            expect((await search(userId, 'x', { queryTerms: ['t.piano'] })).map((memory) => memory.id)).toEqual([sealed]);
            expect(await search(userId, 'x', { queryTerms: ['t.tea'] }), 'not found by the terms of the old text').toEqual([]);
            expect(await search(userId, 'sealed record'), 'only the supplied terms were indexed').toEqual([]);
          });
          await provider.update(userId, sealed, { text: 'Plain words about gardening' });
          await waitFor(async () => {
            expect((await search(userId, 'gardening')).map((memory) => memory.id), 'a text without indexTerms is indexed by its words').toEqual([sealed]);
            expect(await search(userId, 'x', { queryTerms: ['t.piano'] })).toEqual([]);
          });
        },
      );

      it('update names the field it refuses and never changes another user’s memory (capability: update)', async (ctx) => {
        if (!caps.update || !provider.update) return ctx.skip('capability update is not declared');
        const alice = user('update-owner');
        const mallory = user('update-intruder');
        const secret = await addAndSettle(alice, 'Alice keeps her diary under the stairs');
        const notFound = await captureError(() => provider.update!(mallory, secret.id, { text: 'Overwritten by mallory' }));
        expect(MemoryNotFoundError.isInstance(notFound), `expected MemoryNotFoundError, got ${String(notFound)}`).toBe(true);
        expect((await provider.get(alice, secret.id))?.memory).toBe('Alice keeps her diary under the stairs');
        expect(MemoryNotFoundError.isInstance(await captureError(() => provider.update!(alice, 'no-such-memory', { text: 'x y' })))).toBe(true);
        expectValidationError(await captureError(() => provider.update!(alice, secret.id, {})), 'changes');
        expectValidationError(await captureError(() => provider.update!(alice, secret.id, { text: '  ' })), 'changes.text');
        expectValidationError(
          await captureError(() => provider.update!(alice, secret.id, { text: 'x'.repeat(MEMORY_LIMITS.maxContentLength + 1) })),
          'changes.text',
        );
        expectValidationError(
          await captureError(() => provider.update!(alice, secret.id, { memory: 'x' } as never)),
          'changes.memory',
        );
        expectValidationError(await captureError(() => provider.update!('', secret.id, { text: 'x y' })), 'userId');
      });

      it('history lists add, update and delete oldest first with the previous text and the reason (capability: history)', async (ctx) => {
        if (!caps.history || !provider.history) return ctx.skip('capability history is not declared');
        const userId = user('history');
        const added = await addAndSettle(userId, 'I live in Paris', { category: 'home' });
        const versions: string[] = ['add'];
        if (caps.update && provider.update) {
          await provider.update(userId, added.id, { text: 'I live in Berlin' }, { reason: 'formation:superseded' });
          versions.push('update');
        }
        await provider.delete(userId, added.id);
        versions.push('delete');
        const history = await waitFor(async () => {
          const entries = await provider.history!(userId, added.id);
          expect(entries.map((entry) => entry.event)).toEqual(versions);
          return entries;
        });
        for (const entry of history) {
          expect(entry.memoryId).toBe(added.id);
          expect(Number.isNaN(Date.parse(entry.at)), `time of the ${entry.event}`).toBe(false);
        }
        for (let i = 1; i < history.length; i++) {
          expect(Date.parse(history[i]!.at), `history order at ${i}`).toBeGreaterThanOrEqual(Date.parse(history[i - 1]!.at));
        }
        expect(history[0]).toMatchObject({ event: 'add', previousText: null, text: 'I live in Paris', metadata: { category: 'home' } });
        if (versions.includes('update')) {
          expect(history[1]).toMatchObject({
            event: 'update',
            previousText: 'I live in Paris',
            text: 'I live in Berlin',
            reason: 'formation:superseded',
          });
        }
        expect(history.at(-1)).toMatchObject({ event: 'delete', text: null, metadata: null });
        expect(history.at(-1)!.previousText).toBe(versions.includes('update') ? 'I live in Berlin' : 'I live in Paris');
        expect(await provider.history!(user('history-other'), added.id), 'another user sees no history').toEqual([]);
        expect(await provider.history!(userId, 'no-such-memory')).toEqual([]);
      });

      it('deleteAll removes history too: forget means forget (capability: history)', async (ctx) => {
        if (!caps.history || !provider.history) return ctx.skip('capability history is not declared');
        const userId = user('history-forget');
        const kept = await addAndSettle(userId, 'My passport number is on file');
        const deleted = await addAndSettle(userId, 'My old phone number was 555 0100');
        await provider.delete(userId, deleted.id);
        if (caps.update && provider.update) await provider.update(userId, kept.id, { text: 'My passport is renewed' });
        await waitFor(async () => expect((await provider.history!(userId, deleted.id)).length).toBeGreaterThan(0));
        await provider.deleteAll(userId);
        await waitFor(async () => {
          expect(await provider.history!(userId, kept.id)).toEqual([]);
          expect(await provider.history!(userId, deleted.id)).toEqual([]);
        });
      });
    });

    describe('isolation between users', () => {
      it('one user never reads, searches, deletes or forgets another user’s memories', async () => {
        const alice = user('alice');
        const bob = user('bob');
        const secret = await addAndSettle(alice, 'Alice keeps her secret diary under the mattress');
        expect(await provider.get(bob, secret.id)).toBeNull();
        expect((await provider.getAll(bob)).memories).toEqual([]);
        expect(await search(bob, 'secret diary mattress')).toEqual([]);
        expect(MemoryNotFoundError.isInstance(await captureError(() => provider.delete(bob, secret.id)))).toBe(true);
        expect(await provider.deleteAll(bob)).toBe(0);
        expect(await provider.get(alice, secret.id)).not.toBeNull();
      });

      it('hostile user ids stay apart: patterns, separators, braces, traversal, unicode, long and prefix ids', async () => {
        const stored = new Map<string, Memory>();
        for (const [index, userId] of HOSTILE_USER_IDS.entries()) {
          stored.set(userId, await addAndSettle(userId, `Hostile marker m${index}q belongs to one user only`));
        }
        for (const [index, userId] of HOSTILE_USER_IDS.entries()) {
          const own = await listAll(userId);
          expect(own.map((memory) => memory.id), `getAll of ${JSON.stringify(userId)}`).toEqual([stored.get(userId)!.id]);
          expect(own[0]!.userId).toBe(userId);
          const found = await search(userId, 'hostile marker belongs user');
          expect(found.map((memory) => memory.id), `search of ${JSON.stringify(userId)}`).toEqual([stored.get(userId)!.id]);
          const other = HOSTILE_USER_IDS[(index + 1) % HOSTILE_USER_IDS.length]!;
          expect(await provider.get(userId, stored.get(other)!.id)).toBeNull();
        }
        // Forgetting `a` or `*` must not touch `a:b`, `a*` or anyone else.
        for (const victim of ['a', '*', '{x}', 'x'.repeat(512)]) {
          expect(await provider.deleteAll(victim)).toBeGreaterThanOrEqual(1);
          await waitFor(async () => expect(await listAll(victim)).toEqual([]));
        }
        for (const userId of HOSTILE_USER_IDS) {
          if (['a', '*', '{x}', 'x'.repeat(512)].includes(userId)) continue;
          expect((await listAll(userId)).length, `after forgetting others, ${JSON.stringify(userId)}`).toBe(1);
        }
        for (const userId of HOSTILE_USER_IDS) await provider.deleteAll(userId);
      });

      it('user ids with a lone surrogate are refused naming userId, and never reach the U+FFFD spelling’s memories', async () => {
        // UTF-8 has no form for an unpaired surrogate: a store would read `eve\uD800` as `eve\uFFFD`.
        const replacement = `eve-${runId}\uFFFD`;
        const kept = await addAndSettle(replacement, 'Replacement character marker belongs to one spelling');
        for (const malformed of [`eve-${runId}\uD800`, `eve-${runId}\uDFFF`, ...MALFORMED_USER_IDS]) {
          const calls: Record<string, () => Promise<unknown>> = {
            add: () => provider.add(malformed, [{ role: 'user', content: 'Written under a malformed id' }]),
            search: () => provider.search(malformed, 'replacement character marker'),
            getAll: () => provider.getAll(malformed),
            get: () => provider.get(malformed, kept.id),
            delete: () => provider.delete(malformed, kept.id),
            deleteAll: () => provider.deleteAll(malformed),
          };
          for (const [name, call] of Object.entries(calls)) {
            const error = await captureError(call);
            expect(MemoryValidationError.isInstance(error), `${name} as ${JSON.stringify(malformed)}: ${String(error)}`).toBe(true);
            expect((error as MemoryValidationError).field).toBe('userId');
          }
        }
        expect((await listAll(replacement)).map((memory) => memory.id)).toEqual([kept.id]);
        expect((await search(replacement, 'replacement character marker')).map((memory) => memory.id)).toEqual([kept.id]);
      });

      it('look-alike user ids stay apart: case, surrounding spaces, NFC/NFD, zero-width characters', async () => {
        const groups = lookAlikeUserIds(runId);
        const stored = new Map<string, string>();
        for (const userId of groups.flat()) {
          stored.set(userId, (await addAndSettle(userId, `Look-alike marker ${stored.size}x belongs to one spelling`)).id);
        }
        expect(stored.size).toBe(groups.flat().length);
        for (const group of groups) {
          for (const [index, userId] of group.entries()) {
            const shown = JSON.stringify(userId);
            expect((await listAll(userId)).map((memory) => memory.id), `getAll of ${shown}`).toEqual([stored.get(userId)]);
            const found = await search(userId, 'look-alike marker belongs spelling');
            expect(found.map((memory) => memory.id), `search of ${shown}`).toEqual([stored.get(userId)]);
            const twin = group[(index + 1) % group.length]!;
            expect(await provider.get(userId, stored.get(twin)!), `get of ${JSON.stringify(twin)}'s memory as ${shown}`).toBeNull();
          }
          // Forgetting one spelling leaves its look-alikes alone.
          expect(await provider.deleteAll(group[0]!)).toBe(1);
          for (const twin of group.slice(1)) {
            expect((await listAll(twin)).length, `after forgetting ${JSON.stringify(group[0])}, ${JSON.stringify(twin)}`).toBe(1);
          }
        }
      });
    });

    describe('filters', () => {
      let seeded: Seeded;
      beforeAll(async () => {
        seeded = await seedFixtures('filters');
      });

      it('the shorthand { category: "preferences" } means equality, in getAll and search', async () => {
        const page = await provider.getAll(seeded.userId, { filters: { category: 'preferences' } });
        expect(keysOf(seeded, page.memories)).toEqual(['tea']);
        const found = await search(seeded.userId, 'green tea morning', { filters: { category: 'preferences' } });
        expect(keysOf(seeded, found)).toEqual(['tea']);
        expect(await search(seeded.userId, 'green tea morning', { filters: { category: 'profile' } })).toEqual([]);
      });

      for (const operator of FILTER_OPERATORS) {
        const { filter, expected } = OPERATOR_CASES[operator];
        const declaredOff = declared.filters !== undefined && !declared.filters.includes(operator);
        it.skipIf(declaredOff)(`operator ${operator} selects the right memories (capability: filters.${operator})`, async (ctx) => {
          if (!supportsFilter(operator)) return ctx.skip(`capability filters.${operator} is not declared`);
          const page = await provider.getAll(seeded.userId, { filters: filter });
          expect(keysOf(seeded, page.memories)).toEqual([...expected].sort());
        });
        it(`operator ${operator} is honoured or rejected with UnsupportedFilterError, never ignored`, async () => {
          if (supportsFilter(operator)) {
            const found = await search(seeded.userId, 'tea Berlin piano', { filters: filter, limit: 10 });
            expect(found.length, `search selected nothing but must select from [${expected.join(', ')}]`).toBeGreaterThan(0);
            expectSelectedFrom(keysOf(seeded, found), expected);
            return;
          }
          const inGetAll = await captureError(() => provider.getAll(seeded.userId, { filters: filter }));
          expect(UnsupportedFilterError.isInstance(inGetAll), String(inGetAll)).toBe(true);
          const inSearch = await captureError(() => search(seeded.userId, 'tea', { filters: filter }));
          expect(UnsupportedFilterError.isInstance(inSearch), String(inSearch)).toBe(true);
        });
      }

      for (const { capability, filter, expected } of LOGICAL_CASES) {
        const declaredOff = declared.filters !== undefined && !declared.filters.includes(capability);
        it.skipIf(declaredOff)(`${capability.toUpperCase()} combines filters (capability: filters.${capability})`, async (ctx) => {
          if (!supportsFilter(capability)) {
            const error = await captureError(() => provider.getAll(seeded.userId, { filters: filter }));
            expect(UnsupportedFilterError.isInstance(error), String(error)).toBe(true);
            return ctx.skip(`capability filters.${capability} is not declared (it throws UnsupportedFilterError)`);
          }
          const page = await provider.getAll(seeded.userId, { filters: filter });
          expect(keysOf(seeded, page.memories)).toEqual([...expected].sort());
        });
      }

      it('range operators compare strings too (ISO dates)', async (ctx) => {
        if (!supportsFilter('gte') || !supportsFilter('lt')) return ctx.skip('capability filters.gte/lt is not declared');
        const page = await provider.getAll(seeded.userId, { filters: { day: { gte: '2026-02-01', lt: '2026-06-01' } } });
        expect(keysOf(seeded, page.memories)).toEqual(['berlin']);
      });

      it('categories from metadata.category are filterable', async (ctx) => {
        if (!supportsFilter('contains')) return ctx.skip('capability filters.contains is not declared');
        const page = await provider.getAll(seeded.userId, { filters: { categories: { contains: 'hobbies' } } });
        expect(keysOf(seeded, page.memories)).toEqual(['piano']);
      });

      for (const { title, needs, filter, expected } of EDGE_CASES) {
        const declaredOff = declared.filters !== undefined && needs.some((need) => !declared.filters!.includes(need));
        it.skipIf(declaredOff)(`${title} (capability: filters.${needs.join('+')})`, async (ctx) => {
          if (!needs.every(supportsFilter)) return ctx.skip(`capability filters.${needs.join('+')} is not declared`);
          const page = await provider.getAll(seeded.userId, { filters: filter });
          expect(keysOf(seeded, page.memories), 'getAll').toEqual([...expected].sort());
          const found = await search(seeded.userId, 'tea Berlin piano', { filters: filter, limit: 10 });
          if (expected.length === 0) expect(found).toEqual([]);
          else expect(found.length, `search selected nothing but must select from [${expected.join(', ')}]`).toBeGreaterThan(0);
          expectSelectedFrom(keysOf(seeded, found), expected);
        });
      }
    });

    describe('validation', () => {
      const ok = [{ role: 'user' as const, content: 'fine' }];

      it('rejects empty, blank and non-string user ids naming userId', async () => {
        for (const bad of ['', '   ', 42, null, undefined, 'x'.repeat(MEMORY_LIMITS.maxUserIdLength + 1)]) {
          const asId = bad as unknown as string;
          expectValidationError(await captureError(() => provider.add(asId, ok)), 'userId');
          expectValidationError(await captureError(() => search(asId, 'q')), 'userId');
          expectValidationError(await captureError(() => provider.getAll(asId)), 'userId');
          expectValidationError(await captureError(() => provider.get(asId, 'id')), 'userId');
          expectValidationError(await captureError(() => provider.delete(asId, 'id')), 'userId');
          expectValidationError(await captureError(() => provider.deleteAll(asId)), 'userId');
        }
      });

      it('rejects an empty query, an empty memory id and bad limits', async () => {
        const userId = user('validation');
        expectValidationError(await captureError(() => search(userId, '')), 'query');
        expectValidationError(await captureError(() => search(userId, '  ')), 'query');
        expectValidationError(await captureError(() => provider.get(userId, '')), 'memoryId');
        expectValidationError(await captureError(() => provider.delete(userId, '')), 'memoryId');
        for (const limit of [0, -1, MEMORY_LIMITS.maxSearchLimit + 1, 1.5, Number.NaN]) {
          expectValidationError(await captureError(() => search(userId, 'q', { limit })), 'options.limit');
        }
        for (const limit of [0, -1, MEMORY_LIMITS.maxLimit + 1, 1.5, Number.NaN]) {
          expectValidationError(await captureError(() => provider.getAll(userId, { limit })), 'options.limit');
        }
        // A lone surrogate in a memory id or idempotency key would be folded into U+FFFD by a store.
        expectValidationError(await captureError(() => provider.get(userId, 'id\uD800')), 'memoryId');
        expectValidationError(await captureError(() => provider.delete(userId, 'id\uDFFF')), 'memoryId');
        expectValidationError(
          await captureError(() => provider.add(userId, ok, {}, { idempotencyKey: 'key\uD800' })),
          'options.idempotencyKey',
        );
        for (const minRelevance of [-0.1, 1.1, Number.NaN]) {
          expectValidationError(
            await captureError(() => search(userId, 'q', { minRelevance })),
            'options.minRelevance',
          );
        }
        expectValidationError(await captureError(() => provider.getAll(userId, { cursor: '' })), 'options.cursor');
      });

      it('rejects bad messages, non-JSON metadata and oversize content', async () => {
        const userId = user('validation');
        expectValidationError(await captureError(() => provider.add(userId, [])), 'messages');
        expectValidationError(
          await captureError(() => provider.add(userId, [{ role: 'robot', content: 'x' }] as never)),
          'messages.0.role',
        );
        expectValidationError(
          await captureError(() => provider.add(userId, [{ role: 'user', content: '' }])),
          'messages.0.content',
        );
        const tooLong = 'y'.repeat(MEMORY_LIMITS.maxContentLength + 1);
        expectValidationError(
          await captureError(() => provider.add(userId, [{ role: 'user', content: tooLong }])),
          'messages.0.content',
        );
        const half = 'z'.repeat(MEMORY_LIMITS.maxContentLength / 2 + 1);
        expectValidationError(
          await captureError(() =>
            provider.add(userId, [
              { role: 'user', content: half },
              { role: 'assistant', content: half },
            ]),
          ),
          'messages.1.content',
        );
        const nonJson: Array<[unknown, string]> = [
          [{ when: new Date() }, 'metadata.when'],
          [{ fn: () => 1 }, 'metadata.fn'],
          [{ n: Number.NaN }, 'metadata.n'],
          [{ n: Number.POSITIVE_INFINITY }, 'metadata.n'],
          [{ big: BigInt(1) }, 'metadata.big'],
          [{ u: undefined }, 'metadata.u'],
          [{ deep: { list: [1, new Map()] } }, 'metadata.deep.list.1'],
          ['not an object', 'metadata'],
          [{ huge: 'h'.repeat(MEMORY_LIMITS.maxMetadataLength) }, 'metadata'],
        ];
        for (const [metadata, field] of nonJson) {
          expectValidationError(await captureError(() => provider.add(userId, ok, metadata as Metadata)), field);
        }
        expect(await listAll(userId)).toEqual([]);
      });

      it('refuses filters over the documented size before any backend work, naming the list', async () => {
        const userId = user('validation');
        const strings = (count: number) => Array.from({ length: count }, (_, index) => `tag-${index}`);
        const clauses = (count: number) => Array.from({ length: count }, (_, index) => ({ priority: index }));
        const oversize: Array<[MemoryFilter, string]> = [
          [{ tags: { in: strings(60_000) } }, 'options.filters.tags.in'],
          [{ tags: { nin: strings(MEMORY_LIMITS.maxFilterListLength + 1) } }, 'options.filters.tags.nin'],
          [{ OR: clauses(20_000) }, 'options.filters.OR'],
          [{ AND: [{ OR: clauses(40) }, { OR: clauses(40) }] }, 'options.filters'],
        ];
        for (const [filters, field] of oversize) {
          expectValidationError(await captureError(() => search(userId, 'q', { filters })), field);
          expectValidationError(await captureError(() => provider.getAll(userId, { filters })), field);
        }
        if (supportsFilter('in')) {
          const atLimit = { tags: { in: strings(MEMORY_LIMITS.maxFilterListLength) } };
          expect((await provider.getAll(userId, { filters: atLimit })).memories).toEqual([]);
        }
      });

      it('rejects malformed filters naming the filter field', async () => {
        const userId = user('validation');
        expectValidationError(
          await captureError(() => provider.getAll(userId, { filters: { priority: { between: [1, 2] } } as never })),
          'options.filters.priority.between',
        );
        expectValidationError(
          await captureError(() => search(userId, 'q', { filters: { tags: ['a', 'b'] } as never })),
          'options.filters.tags',
        );
        expectValidationError(
          await captureError(() => provider.getAll(userId, { filters: { category: { in: 'x' } } as never })),
          'options.filters.category.in',
        );
      });
    });

    describe('backend failures', () => {
      it.runIf(options.createBroken !== undefined)(
        'a failing backend surfaces as the core’s typed errors, never a raw client error',
        async () => {
          // A memory written before the broken provider exists must outlive it (and its teardown).
          const canaryUser = user('canary');
          const canary = await addAndSettle(canaryUser, 'Canary written before the failing backend');
          const broken = await options.createBroken!();
          try {
            const userId = user('broken');
            const calls: Record<string, () => Promise<unknown>> = {
              add: () => broken.add(userId, [{ role: 'user', content: 'Written to a failing backend' }]),
              search: () => broken.search(userId, 'failing backend'),
              getAll: () => broken.getAll(userId),
              // A well-formed id, so a provider that checks id shapes locally still asks its backend.
              get: () => broken.get(userId, crypto.randomUUID()),
              delete: () => broken.delete(userId, crypto.randomUUID()),
              deleteAll: () => broken.deleteAll(userId),
            };
            for (const [operation, call] of Object.entries(calls)) {
              const error = await captureError(call);
              const shown = `${operation} threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
              expect(MemoryError.isInstance(error), shown).toBe(true);
              expect(ProviderUnavailableError.isInstance(error) || MemoryConfigurationError.isInstance(error), shown).toBe(
                true,
              );
              if (ProviderUnavailableError.isInstance(error)) expect(typeof error.isRetryable, shown).toBe('boolean');
            }
          } finally {
            await options.destroyBroken?.(broken);
          }
          expect((await provider.get(canaryUser, canary.id))?.memory, 'the live store outlives the broken provider').toBe(
            canary.memory,
          );
        },
      );
    });

    describe('injection strategies over this provider', () => {
      it('relevant injects matching memories above minRelevance as a context block', async () => {
        const userId = user('inject');
        await addAndSettle(userId, 'Speaks fluent Portuguese and some Japanese');
        await addAndSettle(userId, 'Has a golden retriever named Biscuit');
        const inject = injectMemory({ strategy: 'relevant', maxMemories: 5, minRelevance: 0.3 });
        const injected = await waitFor(async () => {
          const result = await inject(provider, { userId, query: 'Portuguese Japanese' });
          expect(result.memories.length).toBeGreaterThan(0);
          return result;
        });
        expect(injected.memories[0]!.memory).toContain('Portuguese');
        expect(injected.context).toContain('Portuguese');
        for (const memory of injected.memories) expect(memory.score!).toBeGreaterThanOrEqual(0.3);
      });

      it('recent returns the newest first within maxMemories and the time window', async () => {
        const userId = user('recent');
        const added: Memory[] = [];
        for (let i = 0; i < 4; i++) {
          added.push(await addAndSettle(userId, `Recent event ${i} at venue${i}`));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        const recent = await injectMemory({ strategy: 'recent', maxMemories: 2, timeWindowHours: 24 })(provider, { userId });
        expect(recent.memories.map((memory) => memory.id)).toEqual([added[3]!.id, added[2]!.id]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        const tinyWindow = injectMemory({ strategy: 'recent', maxMemories: 10, timeWindowHours: 0.01 / 3600 });
        expect((await tinyWindow(provider, { userId })).memories).toEqual([]);
      });

      it('all returns up to maxMemories within a size budget', async () => {
        const userId = user('all');
        for (let i = 0; i < 5; i++) await addAndSettle(userId, `Budget line ${i} ${'w'.repeat(40)}`);
        const everything = await injectMemory({ strategy: 'all', maxMemories: 50 })(provider, { userId });
        if (caps.storage === 'verbatim') expect(everything.memories.length).toBe(5);
        else expect(everything.memories.length).toBeGreaterThanOrEqual(3);
        const capped = await injectMemory({ strategy: 'all', maxMemories: 3 })(provider, { userId });
        expect(capped.memories.length).toBe(3);
        // 150 characters of memories inside the core's fixed framing.
        const maxCharacters = frameMemoryContext(['x']).length - 1 + 150;
        const budgeted = await injectMemory({ strategy: 'all', budget: { maxCharacters } })(provider, { userId });
        expect(budgeted.context.length).toBeLessThanOrEqual(maxCharacters);
        expect(budgeted.memories.length).toBeLessThan(everything.memories.length);
      });
    });

    describe('consistency', () => {
      it.runIf(declared.consistency !== 'eventual')(
        'a write is visible to the next read (capability: consistency=strong)',
        async (ctx) => {
          if (caps.consistency !== 'strong') return ctx.skip('capability consistency=strong is not declared');
          const userId = user('raw');
          const id = await provider.add(userId, [{ role: 'user', content: 'Immediately visible kiwi fact' }]);
          expect((await provider.get(userId, id))?.memory).toContain('kiwi');
          expect((await provider.getAll(userId)).memories.map((memory) => memory.id)).toEqual([id]);
          expect((await search(userId, 'kiwi')).map((memory) => memory.id)).toEqual([id]);
        },
      );

      it.runIf(declared.consistency !== 'strong')(
        'a write becomes visible within the bounded wait (capability: consistency=eventual)',
        async (ctx) => {
          if (caps.consistency !== 'eventual') return ctx.skip('capability consistency=eventual is not declared');
          const userId = user('eventual');
          await provider.add(userId, [{ role: 'user', content: 'Eventually visible mango fact' }]);
          await eventually(
            async () => {
              const found = await search(userId, 'mango');
              expect(found.some((memory) => memory.memory.toLowerCase().includes('mango'))).toBe(true);
            },
            { timeoutMs: options.eventualTimeoutMs ?? 10_000 },
          );
        },
      );
    });

    describe('ttl', () => {
      it.runIf(options.createWithTtl !== undefined)(
        'memories expire together after the TTL and every write slides it (capability: ttl)',
        async () => {
          const expiring = await options.createWithTtl!(1);
          expect(expiring.capabilities.ttl).toBe(true);
          const userId = user('ttl');
          await expiring.add(userId, [{ role: 'user', content: 'Session note one' }]);
          await new Promise((resolve) => setTimeout(resolve, 600));
          await expiring.add(userId, [{ role: 'user', content: 'Session note two' }]);
          await new Promise((resolve) => setTimeout(resolve, 600));
          // 1.2 s after the first write but 0.6 s after the second: the slide kept both.
          expect((await expiring.getAll(userId)).memories.length).toBe(2);
          await new Promise((resolve) => setTimeout(resolve, 1_300));
          expect((await expiring.getAll(userId)).memories).toEqual([]);
          expect(await expiring.search(userId, 'session note')).toEqual([]);
          if (options.destroy) await options.destroy(expiring);
        },
      );
    });
  });
}
