import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibsqlProvider } from '@fastagentic/sqlite';
import { storeStats } from '../src/index.js';
import { addAll, contentsOf, jsonOf, runBinary, searchContents, temporaryFolder, type SeedMemory } from './cli-fixtures.js';

const USERS = 20;
const PER_USER = 5_000;
const SYLLABLES = ['ka', 'lo', 'mi', 'ra', 'su', 'te', 'vo', 'ne', 'di', 'po'];
/** 1,000 made-up words: each turns up in about 20 of a user's 5,000 memories, so a search's matches fit in one result list. */
const word = (n: number) => SYLLABLES[n % 10]! + SYLLABLES[Math.floor(n / 10) % 10]! + SYLLABLES[Math.floor(n / 100) % 10]!;

function largeSeed(): SeedMemory[] {
  let state = 12_345;
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.floor((state / 2 ** 32) * 1_000);
  };
  const memories: SeedMemory[] = [];
  for (let i = 0; i < USERS * PER_USER; i++) {
    memories.push({ userId: `user-${i % USERS}`, text: `entry ${i}: ${word(next())} ${word(next())} ${word(next())} ${word(next())}`, metadata: { n: i } });
  }
  return memories;
}

const folder = temporaryFolder();
const source = join(folder.path, 'large-source.db');
const target = join(folder.path, 'large-target.db');
const context = { env: {}, progress: false, stdout: process.stdout };

beforeAll(async () => {
  const provider = new LibsqlProvider({ url: `file:${source}` });
  await addAll(provider, largeSeed());
  await provider.close();
}, 900_000);
afterAll(() => folder.remove());

describe('a 100,000-memory migration (libSQL file → libSQL file, the binary)', () => {
  it('ends with the same counts, the same pages and the same search results on both sides', async () => {
    const result = jsonOf(await runBinary(['migrate', '--from', `file:${source}`, '--to', `file:${target}`, '--json']));
    expect(result).toMatchObject({ records: 100_000, written: 100_000, memoriesBefore: 0, memoriesAfter: 100_000 });

    const [fromStats, toStats] = await Promise.all([storeStats({ store: `file:${source}` }, context), storeStats({ store: `file:${target}` }, context)]);
    expect(toStats).toMatchObject({ users: USERS, memories: 100_000, bytes: fromStats.bytes });

    const from = new LibsqlProvider({ url: `file:${source}` });
    const to = new LibsqlProvider({ url: `file:${target}` });
    try {
      let compared = 0;
      for (let user = 0; user < USERS; user += 3) {
        const userId = `user-${user}`;
        expect(await contentsOf(to, userId)).toEqual(await contentsOf(from, userId));
        for (const query of [word(user * 7), `${word(user * 13 + 1)} ${word(user * 29 + 5)}`, `${word(user)} ${word(999 - user)} ${word(500 + user)}`]) {
          const expected = await searchContents(from, userId, query);
          expect(expected.length).toBeGreaterThan(0);
          expect(await searchContents(to, userId, query)).toEqual(expected);
          compared++;
        }
      }
      expect(compared).toBe(21);
    } finally {
      await Promise.all([from.close(), to.close()]);
    }
  }, 900_000);
});
