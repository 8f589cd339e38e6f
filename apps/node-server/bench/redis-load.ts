import type { Figure } from '@fastagentic/bench';
import autocannon from 'autocannon';
import { Agent } from 'node:http';
import { BUSY_USER, busyMessage, chatMessage, USERS } from './bench-users.js';
import { post, WITHOUT_MEMORIES } from './http-client.js';
import type { BenchServer } from './server-process.js';

const SATURATION_CONNECTIONS = 100;
const SATURATION_SECONDS = 10;
const OFFERED_RATE = 1_000;
const PACED_SECONDS = 30;
/** The paced loop stops sending when this many chats are unanswered or it runs this far past its time. */
const MAX_IN_FLIGHT = 2_000;
const GIVE_UP_BEHIND_MS = 10_000;
/** Every tenth chat is the busy user's (10,000 memories); the rest go round the 300 users. */
const BUSY_SHARE = 10;

/** The request for the n-th chat of the mix: its user's token, session and message. */
function chatOf(tokens: string[], n: number) {
  const busy = n % BUSY_SHARE === 0;
  const user = busy ? USERS : n % USERS;
  return {
    headers: {
      authorization: `Bearer ${tokens[user]}`,
      'content-type': 'application/json',
      'x-session-id': busy ? `s-${BUSY_USER}` : `s-${user}`,
    },
    body: JSON.stringify({ message: busy ? busyMessage() : chatMessage(Math.floor(n / USERS)) }),
  };
}

interface Health {
  writeQueue: { depth: number; dropped: number };
}

const health = async (origin: string) =>
  (await (await fetch(`${origin}/health`, { signal: AbortSignal.timeout(10_000) })).json()) as Health;

/** Waits (30 s at most) until the write-behind queue has stored what earlier chats promised, so each phase starts level. */
async function settle(origin: string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while ((await health(origin)).writeQueue.depth > 0) {
    if (performance.now() > deadline) {
      console.error('the write-behind queue did not drain within 30 s: the next phase starts with a backlog');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

/**
 * The Node server with Redis behind both stores under load: saturation throughput at 100
 * connections (autocannon), then a fixed offered rate for 30 s from a paced open loop whose
 * latencies run from each request's scheduled send time, so a stalled server cannot hide queueing.
 */
export async function redisLoad(server: BenchServer, tokens: string[], redisCpuSeconds: () => Promise<number>): Promise<Figure[]> {
  const rssBefore = server.rssBytes();
  const saturate = async (path: string) => {
    await settle(server.origin);
    let next = 0;
    let withoutMemories = 0;
    const serverCpuBefore = server.cpuSeconds();
    const redisCpuBefore = await redisCpuSeconds();
    const result = await autocannon({
      url: server.origin,
      connections: SATURATION_CONNECTIONS,
      duration: SATURATION_SECONDS,
      maxOverallRequests: 20_000 * SATURATION_SECONDS,
      requests: [
        {
          method: 'POST',
          path,
          setupRequest: (request) => ({ ...request, ...chatOf(tokens, next++) }),
          onResponse: (_status, body) => {
            if (body.includes(WITHOUT_MEMORIES)) withoutMemories++;
          },
        },
      ],
    });
    return {
      rate: result.requests.average,
      total: result.requests.total,
      p99: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      withoutMemories,
      serverCpuMicros: ((server.cpuSeconds() - serverCpuBefore) * 1e6) / result.requests.total,
      redisCpuMicros: (((await redisCpuSeconds()) - redisCpuBefore) * 1e6) / result.requests.total,
    };
  };
  // The baseline: the same mix of users and messages on the same server, with no memory read or written.
  const baseline = await saturate('/chat/no-memory');
  const saturation = await saturate('/chat');

  await settle(server.origin);
  const paced = await pacedLoad(server.origin, tokens, OFFERED_RATE, PACED_SECONDS);
  const after = await health(server.origin);
  const rssAfter = server.rssBytes();

  return [
    {
      name: `saturation: chats/s at ${SATURATION_CONNECTIONS} connections, ${SATURATION_SECONDS} s (${saturation.total} chats, ${saturation.withoutMemories} without memories)`,
      value: { text: `${saturation.rate.toFixed(0)} chats/s, p99 ${saturation.p99} ms, ${saturation.non2xx} non-2xx, ${saturation.errors} errors` },
      baselineName: 'no memory',
      baseline: { text: `${baseline.rate.toFixed(0)} chats/s, p99 ${baseline.p99} ms, ${baseline.non2xx} non-2xx` },
      ratio: saturation.rate / baseline.rate,
      target: '>= 1,500 chats/s, 0 non-2xx',
      met: saturation.rate >= 1_500 && saturation.non2xx === 0 && saturation.errors === 0,
    },
    {
      name: 'saturation: CPU per chat (server process from /proc; redis-server from INFO cpu)',
      value: { text: `server ${saturation.serverCpuMicros.toFixed(0)} µs, Redis ${saturation.redisCpuMicros.toFixed(0)} µs` },
      baselineName: 'no memory',
      baseline: { text: `server ${baseline.serverCpuMicros.toFixed(0)} µs, Redis ${baseline.redisCpuMicros.toFixed(0)} µs` },
      ratio: saturation.serverCpuMicros / baseline.serverCpuMicros,
      target: 'reported',
    },
    {
      name: `offered ${OFFERED_RATE} chats/s for ${PACED_SECONDS} s: latency from scheduled send (${paced.completed} chats answered of ${paced.sent} sent of ${OFFERED_RATE * PACED_SECONDS}${paced.unanswered ? `, ${paced.unanswered} unanswered` : ''}, answered ${paced.achievedRate.toFixed(0)}/s, ${paced.non2xx} non-2xx, ${paced.errors} errors)`,
      value: { text: `p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms, max ${paced.max.toFixed(0)} ms` },
      target: 'p99 < 50 ms',
      met: paced.p99 < 50 && paced.sent === OFFERED_RATE * PACED_SECONDS && paced.unanswered === 0 && paced.non2xx === 0 && paced.errors === 0,
    },
    {
      name: `offered ${OFFERED_RATE} chats/s: replies without memories (memoryAvailable false, budget 1,000 ms)`,
      value: { text: `${paced.withoutMemories}` },
      target: '0',
      met: paced.withoutMemories === 0,
    },
    {
      name: 'server RSS: before the saturation run / after the paced run',
      value: { text: `${mib(rssBefore)} / ${mib(rssAfter)}` },
      target: 'reported',
    },
    {
      name: 'write-behind queue after the paced run (/health)',
      value: { text: `depth ${after.writeQueue.depth}, dropped ${after.writeQueue.dropped}` },
      target: 'reported',
    },
  ];
}

interface PacedResult {
  sent: number;
  unanswered: number;
  completed: number;
  achievedRate: number;
  non2xx: number;
  errors: number;
  withoutMemories: number;
  p50: number;
  p99: number;
  max: number;
}

/** Sends `rate × seconds` chats, each at its scheduled time whatever the earlier ones are doing. */
async function pacedLoad(origin: string, tokens: string[], rate: number, seconds: number): Promise<PacedResult> {
  const total = rate * seconds;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL('/chat', origin);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let withoutMemories = 0;
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let lastAnswer = start;
  let sent = 0;
  // A server that falls this far behind the schedule gets no more: the rest are reported as not sent.
  const deadline = start + seconds * 1000 + GIVE_UP_BEHIND_MS;
  while (sent < total && inFlight.size < MAX_IN_FLIGHT && performance.now() < deadline) {
    const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
    for (; sent < due; sent++) {
      const scheduled = start + (sent * 1000) / rate;
      const { headers, body } = chatOf(tokens, sent);
      const request: Promise<void> = post(agent, url, headers, body).then(
        (reply) => {
          lastAnswer = performance.now();
          latencies.push(lastAnswer - scheduled);
          if (reply.status < 200 || reply.status > 299) non2xx++;
          else if (reply.body.includes(WITHOUT_MEMORIES)) withoutMemories++;
        },
        () => {
          errors++;
        },
      );
      inFlight.add(request);
      void request.finally(() => inFlight.delete(request));
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  // Requests still queued in the agent have no socket timeout yet: the wait is bounded here.
  await Promise.race([Promise.all(inFlight), new Promise((resolve) => setTimeout(resolve, GIVE_UP_BEHIND_MS).unref())]);
  const unanswered = inFlight.size;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return {
    sent,
    unanswered,
    completed: sorted.length,
    achievedRate: sorted.length / ((lastAnswer - start) / 1000),
    non2xx,
    errors,
    withoutMemories,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}
