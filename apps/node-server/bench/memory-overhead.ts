import { comparePair, formatDuration, type Figure } from '@fastagentic/bench';
import { Agent } from 'node:http';
import { chatMessage, USERS } from './bench-users.js';
import { post } from './http-client.js';

const ITERATIONS = 2_000;
const WARMUP = 200;
/** Whole-section bound: a pair that runs longer stops with an error rather than hang the bench. */
const PAIR_DEADLINE_MS = 120_000;

const signed = (ms: number) => `${ms < 0 ? '-' : '+'}${formatDuration(Math.abs(ms))}`;

/**
 * What memory adds to one chat at 1 connection: `/chat` (search, and the exchange stored after
 * the reply) with and without the session store, each beside `/chat/no-memory`, alternated
 * request by request (comparePair) over the 300 seeded users.
 */
export async function memoryOverhead(origin: string, tokens: string[], store: string): Promise<Figure[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const figures: Figure[] = [];
  try {
    for (const withSession of [false, true]) {
      const deadline = performance.now() + PAIR_DEADLINE_MS;
      const chat = (path: string, session: boolean) => async (run: number) => {
        if (performance.now() > deadline) throw new Error(`${path}: still running after ${PAIR_DEADLINE_MS} ms`);
        const user = run % USERS;
        const reply = await post(
          agent,
          new URL(path, origin),
          {
            authorization: `Bearer ${tokens[user]}`,
            'content-type': 'application/json',
            ...(session ? { 'x-session-id': `s-${user}` } : {}),
          },
          JSON.stringify({ message: chatMessage(Math.floor(run / USERS)) }),
        );
        if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.body.slice(0, 200)}`);
      };
      const pair = await comparePair({
        name: withSession ? 'chat + session' : 'chat',
        baselineName: 'no memory',
        baseline: chat('/chat/no-memory', false),
        candidate: chat('/chat', withSession),
        iterations: ITERATIONS,
        warmup: WARMUP,
      });
      const addedMedian = pair.candidate.medianMs - pair.baseline.medianMs;
      const addedP99 = pair.candidate.p99Ms - pair.baseline.p99Ms;
      figures.push({
        name: `${store}: POST /chat, relevant strategy${withSession ? ' + session memory (X-Session-Id)' : ''}, 1 connection, ${ITERATIONS} each`,
        value: pair.candidate,
        baselineName: 'no memory',
        baseline: pair.baseline,
        target: 'adds <= 0.5 ms p50, <= 2 ms p99',
        met: addedMedian <= 0.5 && addedP99 <= 2,
      });
      figures.push({
        name: `${store}: added by memory${withSession ? ' (+ session)' : ''}`,
        value: { text: `p50 ${signed(addedMedian)}, p99 ${signed(addedP99)}` },
      });
    }
  } finally {
    agent.destroy();
  }
  return figures;
}
