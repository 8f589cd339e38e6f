import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import { RedisProvider } from '../src/index.js';
import { RedisServerProcess } from '@fastagentic/test-services';
import { checkSearchCostBounds, COMMON_QUERY, FILTER_BOMB, seedCommonWords } from '@fastagentic/testkit';

// A private server: its SLOWLOG holds only this file's commands. Any command over 2 s is logged (a
// loaded machine slows a bounded script tenfold): before the bounds the bomb held Redis for 3 s idle.
const SLOW_MICROS = 2_000_000;
const server = await RedisServerProcess.start(['--slowlog-log-slower-than', String(SLOW_MICROS)]);
const provider = new RedisProvider({ url: server.url, prefix: 'cost:' });
const admin = new Redis(server.url);
afterAll(async () => {
  await provider.close();
  await admin.quit();
  await server.destroy();
});

it('a filter bomb and a common-word flood over 20,000 memories hold Redis briefly while another user is served', { timeout: 300_000 }, async () => {
  await seedCommonWords(provider, 'attacker', 20_000);
  await admin.slowlog('RESET');
  let pinging = true;
  let pongs = 0;
  const pings = (async () => {
    while (pinging) {
      expect(await admin.ping()).toBe('PONG');
      pongs++;
    }
  })();
  const outcome = await checkSearchCostBounds(provider, 'attacker', 'victim');
  pinging = false;
  await pings;
  // The bomb is refused with the documented typed error: its 64 conditions per record use up the
  // filter's work budget (or, on a slow machine, its time) long before 20,000 records.
  expect('error' in outcome.bomb && outcome.bomb.error.message).toMatch(/used up its filter (work|time) budget/);
  expect(outcome.floodSearches).toBe(20);
  expect(outcome.otherLists).toBeGreaterThan(0);
  expect(pongs).toBeGreaterThan(0);
  expect(await admin.slowlog('GET', 100)).toEqual([]);
});

it('a filtered page stops at the filter work budget and hands back a cursor, so the bomb pages through in bounded calls', { timeout: 120_000 }, async () => {
  await seedCommonWords(provider, 'pager', 2_000);
  let calls = 0;
  let cursor: string | undefined;
  do {
    const page = await provider.getAll('pager', { filters: FILTER_BOMB, limit: 100, ...(cursor ? { cursor } : {}) });
    expect(page.memories).toEqual([]);
    calls++;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  // 65 conditions and a record of about 130 bytes (1 + 2 units) each, 10,000 units a call: about 150
  // records a call, so 2,000 records take 14 calls.
  expect(calls).toBe(14);
  // A one-condition filter still examines 2,000 records a call.
  const all = await provider.getAll('pager', { filters: { n: { gte: 0 } }, limit: 1000 });
  expect(all.memories).toHaveLength(1000);
  expect(await provider.search('pager', COMMON_QUERY, { limit: 5, filters: { n: { lt: 3 } } })).toHaveLength(3);
});
