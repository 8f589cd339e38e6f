import type { MemoryProvider } from '@fastagentic/memory';
import { sign } from 'hono/jwt';

export const BENCH_SECRET = 'bench-secret-0123456789abcdef-0123456789';
export const USERS = 300;
export const MEMORIES_PER_USER = 10;
export const BUSY_USER = 'bench-busy-user';
export const BUSY_MEMORIES = 10_000;

export const topics = ['tea', 'jazz', 'hiking', 'chess', 'python', 'sailing', 'bread', 'cats', 'opera', 'running'];

export const userId = (user: number) => `bench-user-${user}`;

/** Tokens for the 300 users (index 0..299) and the busy user (index 300). */
export async function benchTokens(): Promise<string[]> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return Promise.all(
    [...Array.from({ length: USERS }, (_, i) => userId(i)), BUSY_USER].map((sub) => sign({ sub, exp }, BENCH_SECRET, 'HS256')),
  );
}

export const seedText = (user: number, m: number) => `Fact ${m}: I like ${topics[m % topics.length]} and ${topics[(m + user) % topics.length]}`;

export const chatMessage = (n: number) => `Do I like ${topics[n % topics.length]}?`;

/** Deterministic pseudo-random numbers: every run sees the same memories and questions. */
function seeded(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The busy user's notes: 8-12 words of a 5,000-word vocabulary each, so a word is in about 20 of
// the 10,000 memories and a question naming two words matches a few dozen (a typical query).
const LETTERS = 'bcdfghjklmnpqrstvwz';
const vocabulary = Array.from({ length: 5_000 }, (_, rank) => {
  let word = 'k';
  let n = rank;
  do {
    word += LETTERS[n % LETTERS.length];
    n = Math.floor(n / LETTERS.length);
  } while (n > 0);
  return `${word}o`;
});

export function busyNotes(): string[] {
  const random = seeded(2026);
  return Array.from({ length: BUSY_MEMORIES }, (_, i) => {
    const count = 8 + Math.floor(random() * 5);
    const words = Array.from({ length: count }, () => vocabulary[Math.floor(random() * vocabulary.length)]!);
    return `Note ${i}: ${words.join(' ')}`;
  });
}

const busyRandom = seeded(7);
export const busyMessage = () =>
  `What about ${vocabulary[Math.floor(busyRandom() * vocabulary.length)]} and ${vocabulary[Math.floor(busyRandom() * vocabulary.length)]}?`;

/** Adds `texts` for one user straight to the store, `batch` at a time (ioredis pipelines each batch). */
export async function addInBatches(provider: MemoryProvider, user: string, texts: string[], batch = 500): Promise<void> {
  for (let start = 0; start < texts.length; start += batch) {
    await Promise.all(texts.slice(start, start + batch).map((content) => provider.add(user, [{ role: 'user', content }])));
  }
}

/** Seeds the 300 users over HTTP (`POST /memories`): the only way into a server's in-memory store. */
export async function seedOverHttp(origin: string, tokens: string[]): Promise<void> {
  for (let u = 0; u < USERS; u++) {
    const replies = await Promise.all(
      Array.from({ length: MEMORIES_PER_USER }, (_, m) =>
        fetch(`${origin}/memories`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[u]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ content: seedText(u, m) }),
          signal: AbortSignal.timeout(10_000),
        }),
      ),
    );
    const failed = replies.find((reply) => !reply.ok);
    if (failed) throw new Error(`seeding: POST /memories answered ${failed.status}`);
  }
}
