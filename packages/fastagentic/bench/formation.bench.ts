import { InMemoryProvider } from '@fastagentic/memory';
import { printFigures, summarize } from '@fastagentic/bench';
import { sign } from 'hono/jwt';
import { App } from '../src/app.js';
import { OfflineRunnable } from '../src/offline-runnable.js';

// What memory formation costs a chat, beside storing the raw exchange (`formation: false`, the way
// before it) in the same run, turn by turn alternating the two Apps. Two figures: the reply alone
// (formation runs after it; each turn starts once the previous turn's background work is done, so
// none of it lands in the reply) and the whole turn including that background work.
const USERS = 100;
const TURNS = 4_000;
const WARMUP = 400;
const secret = 'formation-bench-secret-0123456789abcdef';
const exp = Math.floor(Date.now() / 1000) + 3600;
const tokens = await Promise.all(Array.from({ length: USERS }, (_, i) => sign({ sub: `u${i}`, exp }, secret, 'HS256')));
const quiet = { warn: () => {}, error: () => {} };

// A conversation's usual mix: statements (some restating or replacing earlier ones), questions, chit-chat.
const MESSAGES = [
  'My favourite colour is teal.',
  'What should I cook tonight?',
  'I live in Paris.',
  'Thanks, that helps!',
  'I moved to Berlin last month.',
  'My favourite colour is teal, as I said.',
  'Any tips for a rainy weekend?',
  'I work at a bakery and I am vegetarian.',
];

function appWith(formation: boolean): App {
  const app = new App({ title: 'bench', memory: new InMemoryProvider(), auth: { secret }, logger: quiet, ...(formation ? {} : { formation: false }) });
  return app.agentEndpoint({ path: '/chat', runnable: new OfflineRunnable() });
}

async function chat(app: App, turn: number): Promise<void> {
  const response = await app.fetch(
    new Request('http://bench.test/chat', {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens[turn % USERS]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: MESSAGES[Math.floor(turn / USERS) % MESSAGES.length] }),
    }),
  );
  if (response.status !== 200) throw new Error(`chat answered ${response.status}`);
  await response.text();
}

const apps = { raw: appWith(false), formed: appWith(true) };
const reply = { raw: [] as number[], formed: [] as number[] };
const whole = { raw: [] as number[], formed: [] as number[] };
for (let turn = 0; turn < WARMUP + TURNS; turn++) {
  for (const kind of turn % 2 === 0 ? (['raw', 'formed'] as const) : (['formed', 'raw'] as const)) {
    const app = apps[kind];
    const started = performance.now();
    await chat(app, turn);
    const replied = performance.now();
    await app.drain();
    if (turn < WARMUP) continue;
    reply[kind].push(replied - started);
    whole[kind].push(performance.now() - started);
  }
}

const replyFormed = summarize(reply.formed);
const replyRaw = summarize(reply.raw);
printFigures('fastagentic: memory formation on a chat (in-process App, InMemoryProvider, 1 chat at a time)', [
  {
    name: `reply (POST /chat until its body is read), offline formation, ${TURNS} turns`,
    value: replyFormed,
    baselineName: 'raw exchanges (formation: false)',
    baseline: replyRaw,
    target: 'p50 within 0.1 ms of the raw path',
    met: replyFormed.medianMs - replyRaw.medianMs <= 0.1,
  },
  {
    name: 'whole turn (reply, then formation or the raw add in the background)',
    value: summarize(whole.formed),
    baselineName: 'raw exchanges (formation: false)',
    baseline: summarize(whole.raw),
  },
]);
