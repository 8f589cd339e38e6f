import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { printFigures } from '@fastagentic/bench';
import { RedisProvider } from '@fastagentic/redis';
import { RedisServerProcess } from '@fastagentic/test-services';
import { addInBatches, BENCH_SECRET, benchTokens, BUSY_USER, busyNotes, MEMORIES_PER_USER, seedOverHttp, seedText, userId, USERS } from './bench-users.js';
import { memoryOverhead } from './memory-overhead.js';
import { redisLoad } from './redis-load.js';
import { startBenchServer } from './server-process.js';
import { throughputRatio, throughputRatioTitle } from './throughput-ratio.js';

// Each section's load average is the 1-minute figure when it ends: the machine is shared.
const load = () => `load average ${loadavg()[0]!.toFixed(1)}`;
const tokens = await benchTokens();
const run = promisify(execFile);

// In-memory stores: chat paths beside the no-memory baseline at 10 connections, then at 1.
{
  const server = await startBenchServer({ JWT_SECRET: BENCH_SECRET });
  try {
    await seedOverHttp(server.origin, tokens);
    const overhead = await memoryOverhead(server.origin, tokens, 'in-memory');
    const ratio = await throughputRatio(server.origin, tokens);
    printFigures(`Node server, ${throughputRatioTitle} (${load()})`, ratio);
    printFigures(`Node server, what memory adds to one chat, in-memory stores (${load()})`, overhead);
  } finally {
    await server.stop();
  }
}

// Redis behind both stores: a private redis-server, 300 users with 10 memories and a busy user with 10,000.
const redis = await RedisServerProcess.start();
try {
  const seeder = new RedisProvider({ url: redis.url, prefix: 'memory:' });
  const seedStarted = performance.now();
  try {
    for (let u = 0; u < USERS; u += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          addInBatches(seeder, userId(u + i), Array.from({ length: MEMORIES_PER_USER }, (_, m) => seedText(u + i, m))),
        ),
      );
    }
    await addInBatches(seeder, BUSY_USER, busyNotes());
  } finally {
    await seeder.close();
  }
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  const server = await startBenchServer({ JWT_SECRET: BENCH_SECRET, BENCH_STORE: 'redis', REDIS_URL: redis.url });
  try {
    const overhead = await memoryOverhead(server.origin, tokens, 'Redis');
    printFigures(`Node server, what memory adds to one chat, Redis behind both stores (${load()})`, overhead);
    const figures = await redisLoad(server, tokens, async () => {
      const info = await run('redis-cli', ['-p', String(redis.port), 'INFO', 'cpu']);
      return Number(/used_cpu_sys:([\d.]+)/.exec(info.stdout)![1]) + Number(/used_cpu_user:([\d.]+)/.exec(info.stdout)![1]);
    });
    printFigures(
      `Node server, Redis behind both stores, ${USERS} users (${MEMORIES_PER_USER} memories each) + 1 busy user (10,000 memories, every 10th chat), POST /chat relevant + session (${load()}; seeding took ${seedSeconds.toFixed(1)} s)`,
      figures,
    );
  } finally {
    await server.stop();
  }
} finally {
  await redis.destroy();
}
