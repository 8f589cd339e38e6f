import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { printFigures } from '@fastagentic/bench';
import autocannon from 'autocannon';
import { sign } from 'hono/jwt';

const USERS = 300;
const MEMORIES_PER_USER = 10;
const ROUNDS = 4;
const ROUND_SECONDS = 3;
const CONNECTIONS = 10;
const secret = 'bench-secret-0123456789abcdef-0123456789';

const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bench-server.ts', import.meta.url))], {
  env: { ...process.env, JWT_SECRET: secret },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const port = await new Promise<number>((resolve) => child.stdout.once('data', (chunk) => resolve(Number(String(chunk).trim()))));
const origin = `http://127.0.0.1:${port}`;

const tokens = await Promise.all(
  Array.from({ length: USERS }, (_, i) => sign({ sub: `bench-user-${i}`, exp: Math.floor(Date.now() / 1000) + 3600 }, secret, 'HS256')),
);
const topics = ['tea', 'jazz', 'hiking', 'chess', 'python', 'sailing', 'bread', 'cats', 'opera', 'running'];
// Many users keep each user's share of the memories stored during the run small next to the seed.
for (let u = 0; u < USERS; u++) {
  await Promise.all(
    Array.from({ length: MEMORIES_PER_USER }, (_, m) =>
      fetch(`${origin}/memories`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[u]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: `Fact ${m}: I like ${topics[m % topics.length]} and ${topics[(m + u) % topics.length]}` }),
      }),
    ),
  );
}

async function load(path: string, seconds: number, withSession = false) {
  let next = 0;
  const result = await autocannon({
    url: origin,
    connections: CONNECTIONS,
    duration: seconds,
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
            body: JSON.stringify({ message: `Do I like ${topics[next % topics.length]}?` }),
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
child.kill('SIGTERM');

const summary = (rounds: Round[]) => ({ rps: median(rounds.map((r) => r.rps)), p99: median(rounds.map((r) => r.p99)) });
const base = summary(baseline);
const figures = paths.map((candidate, index) => [candidate.name, summary(rounds[index]!)] as const);
printFigures(
  `Node server, POST /chat, ${CONNECTIONS} connections, ${USERS} users, median of ${ROUNDS} alternating ${ROUND_SECONDS} s rounds (load average ${loadavg()[0]!.toFixed(1)})`,
  figures.flatMap(([name, measured]) => [
    {
      name: `requests/s, ${name}`,
      value: { text: `${measured.rps.toFixed(0)} req/s` },
      baselineName: 'no memory',
      baseline: { text: `${base.rps.toFixed(0)} req/s` },
      ratio: measured.rps / base.rps,
      target: 'ratio >= 0.85',
      met: measured.rps / base.rps >= 0.85,
    },
    {
      name: `p99, ${name}`,
      value: { text: `${measured.p99} ms` },
      baselineName: 'no memory',
      baseline: { text: `${base.p99} ms` },
      ratio: measured.p99 / base.p99,
      target: 'ratio <= 1.15',
      met: measured.p99 / base.p99 <= 1.15,
    },
  ]),
);
