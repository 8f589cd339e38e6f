import { createClient } from '@libsql/client';
import { InMemoryProvider, ProviderUnavailableError } from '@fastagentic/memory';
import { MEMORY_LIMITS } from '@fastagentic/memory/provider';
import { afterAll, expect, it } from 'vitest';
import { checkSearchCostBounds, COMMON_QUERY, FILTER_BOMB, InMemoryTwin, seedCommonWords } from '@fastagentic/testkit';
import { LibsqlRunner } from '../src/libsql-runner.js';
import { SqliteMemoryProvider } from '../src/sqlite-memory-provider.js';
import type { SqlResult, SqlRunner, SqlStatement } from '../src/sql-runner.js';
import { temporaryFolder } from './temporary-database.js';

const folder = temporaryFolder('cost');
const client = createClient({ url: `file:${folder.file('memory.db')}` });

/**
 * The libSQL file runner, noting the most postings or rows any one statement returned: a read of
 * a local file blocks the event loop while it runs, so this is how long the search blocked it.
 */
class MeasuredRunner implements SqlRunner {
  largestRead = 0;
  private readonly runner = new LibsqlRunner(() => Promise.resolve(client), 'libsql', false);

  async batch(statements: SqlStatement[], mode: 'read' | 'write'): Promise<SqlResult[]> {
    const results = await this.runner.batch(statements, mode);
    if (mode === 'read') {
      for (const { rows } of results) {
        // A postings read is one row of `seq,tf,length,...`.
        const joined = rows.length === 1 && rows[0]!.length === 1 && typeof rows[0]![0] === 'string' ? String(rows[0]![0]).split(',').length / 3 : 0;
        this.largestRead = Math.max(this.largestRead, rows.length, joined);
      }
    }
    return results;
  }

  toMemoryError(error: unknown): Error {
    return this.runner.toMemoryError(error);
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}

const runner = new MeasuredRunner();
const provider = new SqliteMemoryProvider('libsql', runner, { tablePrefix: 'cost_' });
afterAll(() => {
  client.close();
  folder.remove();
});

it('a filter bomb and a common-word flood over 20,000 memories read in bounded pieces while another user is served', { timeout: 300_000 }, async () => {
  await seedCommonWords(provider, 'attacker', 20_000);
  runner.largestRead = 0;
  const outcome = await checkSearchCostBounds(provider, 'attacker', 'victim');
  // Every memory matches the query's 3 terms: each is read up to MAX_SEARCH_POSTINGS / 3 (3,333)
  // newest postings, and the bomb filters those 3,333 rows (its lists as Sets: cheap), finding none.
  expect(outcome.bomb).toEqual({ results: 0 });
  expect(outcome.floodSearches).toBe(20);
  expect(outcome.otherLists).toBeGreaterThan(0);
  // No read brought more than 4,000 postings (POSTINGS_PER_READ) or rows: before, one read brought
  // 15,000 postings and another 5,000 whole rows, all while the event loop waited.
  expect(runner.largestRead).toBeGreaterThan(0);
  expect(runner.largestRead).toBeLessThanOrEqual(4_000);
  // A search that runs out of time throws the documented typed error.
  const hurried = new SqliteMemoryProvider('libsql', runner, { tablePrefix: 'cost_', searchTimeBudgetMs: 1 });
  const error = await hurried.search('attacker', COMMON_QUERY, { limit: MEMORY_LIMITS.maxSearchLimit, filters: FILTER_BOMB }).catch((caught: unknown) => caught);
  expect(ProviderUnavailableError.isInstance(error) && !error.isRetryable && error.message).toMatch(/used up its time budget/);
  // A filtered page examines at most 2,000 rows, then hands back a cursor.
  const page = await provider.getAll('attacker', { filters: FILTER_BOMB, limit: 10 });
  expect(page.memories).toEqual([]);
  expect(page.nextCursor).not.toBeNull();
});

it('ranks a tie group larger than the page as InMemoryProvider does, ordering it from ids and times', { timeout: 120_000 }, async () => {
  const twin = new InMemoryTwin(provider, new InMemoryProvider());
  for (let i = 0; i < 300; i++) await twin.add('tied', `tied words ${i % 2 === 0 ? 'even' : 'odd'}`, { n: i });
  // 150 memories share each score: the first chunk grows from the limit to the whole tie group.
  await twin.expectSameSearch('tied', 'tied words even', { limit: 10 });
  await twin.expectSameSearch('tied', 'tied words even', { limit: 100 });
  await twin.expectSameSearch('tied', 'tied words', { limit: 5, filters: { n: { gte: 250 } } });
});
