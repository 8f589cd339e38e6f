import { InMemoryProvider } from '@fastagentic/memory';
import { comparePair, printFigures } from '@fastagentic/bench';
import { sign } from 'hono/jwt';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';
import { UserRateLimiter } from '../src/user-rate-limiter.js';
import { memoryBytes, UserStorageQuota } from '../src/user-storage-quota.js';

// What the per-user rate limit and storage quota add to a normal chat: the same chats through an
// App without them (the old path) and one with both, alternated batch by batch in one run. The
// limits are set so that nothing is refused: this is the cost of checking and counting.
const USERS = 300;
const BATCH = 30;
const secret = 'fairness-bench-secret-0123456789abcdef';
const exp = Math.floor(Date.now() / 1000) + 3600;
const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => sign({ sub: `u${i}`, exp }, secret, 'HS256')));
const quiet = { warn: () => {}, error: () => {} };

function appWith(limits: boolean): App {
  const app = new App({
    title: 'bench',
    memory: new InMemoryProvider(),
    auth: { secret },
    logger: quiet,
    ...(limits && { rateLimit: { requestsPerSecond: 1_000_000, burst: 1_000_000 }, storageQuota: {} }),
  });
  return app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable() });
}
const oldPath = appWith(false);
const withLimits = appWith(true);
// Two more Apps on the old path: how far two identical apps differ in this run (the noise floor).
const noiseA = appWith(false);
const noiseB = appWith(false);

/** One batch of chats, each user in turn, each message new (so each exchange is stored and counted). */
async function chats(app: App, run: number): Promise<void> {
  for (let i = 0; i < BATCH; i++) {
    const response = await app.fetch(
      new Request('http://bench.test/chat', {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[(run * BATCH + i) % USERS]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: `Run ${run}, chat ${i}: my favourite tea is oolong` }),
      }),
    );
    if (response.status !== 200) throw new Error(`chat answered ${response.status}`);
    await response.text();
  }
  await app.drain();
}

const chat = await comparePair({
  name: `${BATCH} chats (POST /chat, ${USERS} users in turn) with rate limit + quota`,
  baselineName: 'the same chats, no rate limit or quota',
  baseline: (run) => chats(oldPath, run),
  candidate: (run) => chats(withLimits, run),
  // Small batches, many times: alternating often spreads the machine's drift over both.
  iterations: 300,
  warmup: 10,
});

const noise = await comparePair({
  name: `${BATCH} chats, old path (one App)`,
  baselineName: 'the same chats, old path (another App)',
  baseline: (run) => chats(noiseA, run),
  candidate: (run) => chats(noiseB, run),
  iterations: 300,
  warmup: 10,
});

// The checks alone, as a chat runs them: a bucket taken, room ensured, the exchange counted.
const limiter = new UserRateLimiter({ requestsPerSecond: 1_000_000, burst: 1_000_000 });
const quota = new UserStorageQuota(new InMemoryProvider());
const exchangeText = 'user: my favourite tea is oolong\nassistant: You said: my favourite tea is oolong';
const CHECKS = 10_000;
let sink = 0;
const checks = await comparePair({
  name: `${CHECKS} chats' checks: UserRateLimiter.take + quota.ensureRoom + quota.added (300 users)`,
  baselineName: 'the same loop without the checks',
  baseline: async () => {
    for (let i = 0; i < CHECKS; i++) sink += `u${i % USERS}`.length;
  },
  candidate: async () => {
    for (let i = 0; i < CHECKS; i++) {
      const userId = `u${i % USERS}`;
      sink += limiter.take(userId);
      await quota.ensureRoom(userId);
      quota.added(userId, memoryBytes(exchangeText, { source: 'chat' }));
    }
  },
  iterations: 30,
  warmup: 3,
});
if (sink < 0) console.log(sink);

const perChatUs = ((chat.candidate.medianMs - chat.baseline.medianMs) / BATCH) * 1000;
const noiseUs = ((noise.candidate.medianMs - noise.baseline.medianMs) / BATCH) * 1000;
const perCheckUs = ((checks.candidate.medianMs - checks.baseline.medianMs) / CHECKS) * 1000;
printFigures('Per-user rate limit and storage quota (in-memory store)', [
  { name: chat.name, value: chat.candidate, baselineName: chat.baselineName, baseline: chat.baseline },
  { name: 'added per chat (median difference)', value: { text: `${perChatUs.toFixed(1)} µs` } },
  { name: noise.name, value: noise.candidate, baselineName: noise.baselineName, baseline: noise.baseline },
  { name: 'noise floor: two identical apps, per chat (median difference)', value: { text: `${noiseUs.toFixed(1)} µs` } },
  { name: checks.name, value: checks.candidate, baselineName: checks.baselineName, baseline: checks.baseline },
  { name: 'the checks per chat (median difference)', value: { text: `${perCheckUs.toFixed(2)} µs` }, target: '<= 20 µs', met: perCheckUs <= 20 },
]);
