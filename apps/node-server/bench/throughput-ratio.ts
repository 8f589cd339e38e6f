import type { Figure } from '@fastagentic/bench';
import autocannon from 'autocannon';
import { chatMessage, USERS } from './bench-users.js';

const ROUNDS = 4;
const ROUND_SECONDS = 3;
const CONNECTIONS = 10;

export const throughputRatioTitle = `POST /chat on in-memory stores, ${CONNECTIONS} connections, ${USERS} users, median of ${ROUNDS} alternating ${ROUND_SECONDS} s rounds`;

/** Requests/s and p99 of each chat path beside `/chat/no-memory`, in alternating rounds. */
export async function throughputRatio(origin: string, tokens: string[]): Promise<Figure[]> {
  async function load(path: string, seconds: number, withSession = false) {
    let next = 0;
    const result = await autocannon({
      url: origin,
      connections: CONNECTIONS,
      duration: seconds,
      maxOverallRequests: 50_000 * seconds,
      requests: [
        {
          method: 'POST',
          path,
          setupRequest: (request) => {
            const user = next++ % USERS;
            return {
              ...request,
              headers: {
                authorization: `Bearer ${tokens[user]}`,
                'content-type': 'application/json',
                ...(withSession ? { 'x-session-id': `s-${user}` } : {}),
              },
              body: JSON.stringify({ message: chatMessage(next) }),
            };
          },
        },
      ],
    });
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${path}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    return { rps: result.requests.average, p99: result.latency.p99 };
  }

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

  // Warm every path, then alternate them so drift in machine load falls on all alike.
  const paths = [
    { name: 'recent strategy (getAll) + background store', path: '/chat/recent', session: false },
    { name: 'relevant strategy (search) + background store', path: '/chat', session: false },
    { name: 'relevant + session memory (X-Session-Id)', path: '/chat', session: true },
  ];
  type Round = { rps: number; p99: number };
  await load('/chat/no-memory', 1);
  for (const candidate of paths) await load(candidate.path, 1, candidate.session);
  const baseline: Round[] = [];
  const rounds: Round[][] = paths.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order: memories stored by each round make later loads search a little more.
    const order = [-1, ...paths.keys()];
    for (let step = 0; step < order.length; step++) {
      const index = order[(step + round) % order.length]!;
      if (index === -1) baseline.push(await load('/chat/no-memory', ROUND_SECONDS));
      else rounds[index]!.push(await load(paths[index]!.path, ROUND_SECONDS, paths[index]!.session));
    }
  }

  const summary = (rounds: Round[]) => ({ rps: median(rounds.map((r) => r.rps)), p99: median(rounds.map((r) => r.p99)) });
  const base = summary(baseline);
  return paths.flatMap((candidate, index) => {
    const measured = summary(rounds[index]!);
    return [
      {
        name: `requests/s, ${candidate.name}`,
        value: { text: `${measured.rps.toFixed(0)} req/s` },
        baselineName: 'no memory',
        baseline: { text: `${base.rps.toFixed(0)} req/s` },
        ratio: measured.rps / base.rps,
        target: 'ratio >= 0.85',
        met: measured.rps / base.rps >= 0.85,
      },
      {
        name: `p99, ${candidate.name}`,
        value: { text: `${measured.p99} ms` },
        baselineName: 'no memory',
        baseline: { text: `${base.p99} ms` },
        ratio: measured.p99 / base.p99,
        target: 'ratio <= 1.15',
        met: measured.p99 / base.p99 <= 1.15,
      },
    ];
  });
}
